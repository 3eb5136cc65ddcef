"""The bad-input corpus of issue #11: a baseline project and its broken variants, one
defect each, by family (input_cases, spec_cases, layer_cases); tests/test_corpus.py runs
them. Nothing here runs the compiler."""
