r"""`${...}` expressions in spec strings, resolved after every layer has merged.

A string value holding ``${...}`` is a template. When the whole string is one expression
(``"${self.replicas * 2}"``) the value takes the expression's result with its type; otherwise
each ``${...}`` is replaced by its result as text. ``$${`` writes a literal ``${``.

Expressions are late-bound, as in Jsonnet: ``self`` is the spec's *final* merged data,
``super`` the value as it was beneath the layer that wrote the expression. They are parsed
by a hand-written tokenizer and recursive-descent parser into a small tuple AST and run by a
tree-walking evaluator: nothing here ever calls ``eval``, ``exec``, ``compile`` or
``ast.literal_eval``.

Grammar (EBNF; ``{x}`` repeats, ``[x]`` is optional)::

    template    = { text | "$${" | "${" expr "}" } ;
    expr        = or_expr [ "if" or_expr "else" expr ] ;        (* a if cond else b *)
    or_expr     = and_expr { "or" and_expr } ;
    and_expr    = not_expr { "and" not_expr } ;
    not_expr    = "not" not_expr | comparison ;
    comparison  = sum [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) sum ] ;   (* not chained *)
    sum         = product { ( "+" | "-" ) product } ;
    product     = unary { ( "*" | "/" | "//" | "%" ) unary } ;
    unary       = "-" unary | postfix ;
    postfix     = atom { "." segment | "[" expr "]" } ;
    atom        = number | string | "true" | "false" | "null"
                | "[" [ expr { "," expr } [ "," ] ] "]" | "(" expr ")"
                | name "(" [ expr { "," expr } ] ")"                        (* a function *)
                | ( "self" | "super" | "apps" | "env" | "project" | "vars" ) ;
    segment     = word { "-" word } ;            (* a key: `apps.api-gateway.replicas` *)
    number      = digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
    string      = "'" ... "'" | '"' ... '"' ;    (* escapes: \\ \' \" \n \t \r \$ *)

Because a key after ``.`` may contain ``-``, subtraction right after a reference needs
spaces: ``self.replicas - 1`` (``self.replicas-1`` names the key ``replicas-1``; the error
says so). Keys that are not words are written ``self.labels["app.kubernetes.io/name"]``;
``[i]`` indexes lists (negative counts from the end).

References: ``self.<path>``; ``super.<path>``; ``apps.<workload>.<path>``; ``env.<field>``;
``project.<field>``; ``vars.<name>``. Values found through a reference that are themselves
expressions are resolved first (memoized per spec and path); a cycle is SKY206.

Semantics (decisions):

* types are strict: ``1 + "a"`` is an error (write ``str(1) + "a"``); booleans are not
  numbers; ``not``/``and``/``or`` and the ``if`` condition need booleans (short-circuit);
* ``/`` is true division, but int / int that divides exactly stays an int (``replicas / 2``
  is ``2``, not ``2.0``); ``//`` floors; ``%`` takes the divisor's sign (as in Python);
* ``==`` compares values (``1 == 1.0``; ``true != 1``); ``< <= > >=`` compare numbers with
  numbers and strings with strings;
* ``"ab" * 3`` and ``[1] * 3`` repeat (bounded); ``+`` joins strings and lists;
* interpolated into text: strings as they are, ints in decimal, floats as Python prints them
  (``2.5``), booleans as ``true``/``false``, null as the empty string; a map or a list is an
  error (make the expression the whole string, or use ``join``);
* ints are 64-bit: a result beyond +/-(2**63 - 1) is an error; floats must be finite.

Functions: ``upper(s)``, ``lower(s)``, ``default(x, fallback)`` (fallback when ``x`` is
null or a reference to something missing), ``join(list, sep)``, ``len(x)``, ``str(x)``,
``int(x)``, ``min(a, b, ...)`` / ``min(list)``, ``max(...)``, ``replace(s, old, new)``.

Limits, against abuse: 2,000 characters per expression, nesting 32 deep, references to
other expressions 32 deep and 256 levels of evaluation along such a chain; and, from the
project's ``limits:``, built strings of ``expr_chars`` characters and lists of ``expr_items``
items (nested items counted), ``expr_steps`` steps per spec and 64 x ``expr_chars`` built in
all in a run; sizes are checked before the value is built.

The package, bottom to top: ``errors`` (ExprError and the limits), ``lexer`` (tokens),
``budget`` (the project's limits and counters), ``values`` (what operators do to values), ``functions`` (the built-ins), ``parser`` (template
strings into ASTs), ``evaluate`` (the tree walk), ``sites`` (where templates sit and who
wrote them), ``writeback`` (results back into the specs) and ``resolve`` (binding references,
order, cycles). This module only re-exports what callers use; it must not hold logic, and
nothing in the package may import from above ``skyspec.layers``.
"""

from __future__ import annotations

from .budget import Budget
from .functions import FUNCTIONS
from .parser import ROOTS
from .resolve import resolve

__all__ = ["resolve", "Budget", "FUNCTIONS", "ROOTS"]
