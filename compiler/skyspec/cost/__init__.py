"""Cost and quota accounting: what an output unit's workloads ask of their environment
(pods, CPU, memory, storage), the monthly estimate at the project's prices, the budget and
quota gates, and the cost reports (table, JSON, Markdown, and the difference between two
estimates). Inside the package the modules import one way: ``prices`` < ``usage`` <
``schedule`` < ``estimate`` < ``budget`` < ``report``, and ``quota`` uses ``usage``. It reads
the IR and may use ``skyspec.ir``, ``skyspec.frontend``, ``skyspec.diagnostics`` and
``skyspec.paths``; it must NOT import the passes, backends, pipeline, commands, project,
layers or schema (the passes call it; callers import its modules directly, this file
re-exports nothing)."""
