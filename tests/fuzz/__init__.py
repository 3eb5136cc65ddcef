"""The fuzzing harness of skyspec (issue #11): generators of structurally plausible, often
hostile projects (:mod:`fuzz.project`, :mod:`fuzz.values`), driven either by hypothesis
(:mod:`fuzz.strategies`, used by ``test_fuzz.py`` in CI) or by a seeded ``random.Random``
(``benchmarks/fuzz.py``, the long campaign), and the property every case must hold
(:mod:`fuzz.harness`). It only generates input and runs the compiler in-process; it must not
touch anything outside the temporary folder it is given.
"""
