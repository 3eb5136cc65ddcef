"""Layers: stacking one environment's layers onto each spec.

The stack, later wins: `use:` template < `defaults:` < the spec < built-in profile <
environment overlays < target overlays < `--set`; merged with Jsonnet-style operators
(:mod:`.merge`), then late-bound `${...}` expressions resolved (:mod:`.expr`). Every value
keeps its provenance. This stage reads documents the front end parsed and checks them
against the schemas; it must not lower to the IR or know about any output format.
"""
