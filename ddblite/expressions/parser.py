"""Recursive-descent parsers for condition, update and projection expressions.

Only syntax is decided here (plus the redundant-parentheses flag, which DynamoDB also
reports from its grammar). Every other rule lives in ``checks`` and ``resolve``.
Where the grammar is ambiguous (``(`` opens either a condition or an operand) the
parser backtracks and, on failure, reports the furthest token it could not accept.
"""

from __future__ import annotations

from ddblite.expressions import ast
from ddblite.expressions.tokens import (
    ATTR_NAME,
    ATTR_VALUE,
    EOF,
    INDEX,
    NAME,
    PUNCT,
    Token,
    syntax_error,
    tokenize,
)

COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
CONDITION_KEYWORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
UPDATE_KEYWORDS = frozenset(("SET", "REMOVE", "ADD", "DELETE"))


class _Fail(Exception):
    """Internal: the token at ``index`` was not accepted."""

    def __init__(self, index: int) -> None:
        self.index = index


class _Parser:
    def __init__(self, kind: str, text: str, keywords: frozenset[str]) -> None:
        self.kind = kind
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.i = 0
        self.keywords = keywords
        self.furthest = 0
        self.redundant_parens = False
        # Nodes produced by a parenthesised group; wrapping one again is redundant.
        self._groups: dict[int, ast.Node] = {}
        self.grouped_paths = False
        # Backtracking re-reads the same operands: remember each operand parsed at a
        # token position (node, end, whether it found redundant parentheses) and each
        # position where an operand or a parenthesised condition failed. Without this,
        # texts like "((((((a))))))" cost quadratic time.
        self._operands: dict[int, tuple[ast.Node, int, bool]] = {}
        self._no_operand: set[int] = set()
        self._no_group: set[int] = set()

    # ------------------------------------------------------------ token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, index: int | None = None) -> _Fail:
        index = self.i if index is None else index
        self.furthest = max(self.furthest, index)
        return _Fail(index)

    def punct(self, text: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == PUNCT and tok.text == text

    def take_punct(self, text: str) -> None:
        if not self.punct(text):
            raise self.fail()
        self.i += 1

    def keyword(self, word: str) -> bool:
        return self.tokens[self.i].is_keyword(word)

    def is_identifier(self, tok: Token) -> bool:
        return tok.kind == NAME and tok.text.upper() not in self.keywords

    def mark_group(self, node: ast.Node) -> ast.Node:
        if id(node) in self._groups:
            self.redundant_parens = True
        self._groups[id(node)] = node
        return node

    def error(self):
        return syntax_error(self.kind, self.text, self.tokens, self.furthest)

    def finish(self) -> None:
        if self.tok.kind != EOF:
            raise self.fail()

    # ------------------------------------------------------------ shared pieces

    def path(self) -> ast.Path:
        start = self.i
        tok = self.tok
        if self.is_identifier(tok) or tok.kind == ATTR_NAME:
            raw: list[ast.PathElement] = [tok.text]
            self.i += 1
        else:
            raise self.fail()
        return ast.Path(start, self.path_tail(raw))

    def path_tail(self, raw: list[ast.PathElement]) -> list[ast.PathElement]:
        """``.name`` and ``[index]`` steps after a path's first element."""
        while True:
            if self.punct("."):
                self.i += 1
                tok = self.tok
                if self.is_identifier(tok) or tok.kind == ATTR_NAME:
                    raw.append(tok.text)
                    self.i += 1
                else:
                    raise self.fail()
            elif self.punct("["):
                self.i += 1
                tok = self.tok
                if tok.kind != INDEX:
                    raise self.fail()
                raw.append(int(tok.text))
                self.i += 1
                self.take_punct("]")
            else:
                return raw

    def call(self, operand) -> ast.Call:
        start = self.i
        name = self.tok.text
        self.i += 2  # name and '('
        args = [operand()]
        while self.punct(","):
            self.i += 1
            args.append(operand())
        self.take_punct(")")
        return ast.Call(start, name, args)

    def starts_call(self) -> bool:
        tok = self.tok
        nxt = self.tokens[self.i + 1] if tok.kind != EOF else tok
        return self.is_identifier(tok) and nxt.kind == PUNCT and nxt.text == "("

    def operand(self) -> ast.Node:
        """path | :value | function(...) | '(' operand ')'."""
        start = self.i
        known = self._operands.get(start)
        if known is not None:
            node, self.i, redundant = known
            self.redundant_parens = self.redundant_parens or redundant
            return node
        if start in self._no_operand:
            raise self.fail()
        before = self.redundant_parens
        self.redundant_parens = False
        try:
            node = self._operand()
        except _Fail:
            self._no_operand.add(start)
            self.redundant_parens = before
            raise
        redundant = self.redundant_parens
        self.redundant_parens = before or redundant
        self._operands[start] = (node, self.i, redundant)
        return node

    def _operand(self) -> ast.Node:
        tok = self.tok
        if tok.kind == PUNCT and tok.text == "(":
            self.i += 1
            inner = self.operand()
            self.take_punct(")")
            inner = self.mark_group(inner)
            if self.grouped_paths and isinstance(inner, ast.Path) and (
                self.punct(".") or self.punct("[")
            ):  # conditions accept "(a.b).c"
                return ast.Path(inner.pos, self.path_tail(list(inner.raw)))
            return inner
        if tok.kind == ATTR_VALUE:
            self.i += 1
            return ast.ValueRef(self.i - 1, tok.text)
        if self.starts_call():
            return self.call(self.operand)
        return self.path()


# ---------------------------------------------------------------- conditions


class ConditionParser(_Parser):
    def __init__(self, kind: str, text: str) -> None:
        super().__init__(kind, text, CONDITION_KEYWORDS)
        self.grouped_paths = True

    def parse(self) -> ast.Node:
        try:
            node = self.or_expr()
            self.finish()
            return node
        except _Fail:
            raise self.error() from None

    def or_expr(self) -> ast.Node:
        node = self.and_expr()
        while self.keyword("OR"):
            pos = self.i
            self.i += 1
            node = ast.Or(pos, node, self.and_expr())
        return node

    def and_expr(self) -> ast.Node:
        node = self.not_expr()
        while self.keyword("AND"):
            pos = self.i
            self.i += 1
            node = ast.And(pos, node, self.not_expr())
        return node

    def not_expr(self) -> ast.Node:
        if self.keyword("NOT"):
            pos = self.i
            self.i += 1
            return ast.Not(pos, self.not_expr())
        return self.primary()

    def primary(self) -> ast.Node:
        if self.punct("(") and self.i not in self._no_group:
            saved, saved_flag = self.i, self.redundant_parens
            try:
                self.i += 1
                inner = self.or_expr()
                self.take_punct(")")
                if not self.continues_comparison():
                    return self.mark_group(inner)
            except _Fail:
                self._no_group.add(saved)
            self.i, self.redundant_parens = saved, saved_flag
        return self.comparison()

    def continues_comparison(self) -> bool:
        tok = self.tok
        if tok.kind == PUNCT and tok.text in COMPARATORS:
            return True
        return tok.is_keyword("BETWEEN") or tok.is_keyword("IN")

    def comparison(self) -> ast.Node:
        start = self.i
        left = self.operand()
        tok = self.tok
        if tok.kind == PUNCT and tok.text in COMPARATORS:
            self.i += 1
            return ast.Compare(start, tok.text, left, self.operand())
        if tok.is_keyword("BETWEEN"):
            self.i += 1
            low = self.operand()
            if not self.keyword("AND"):
                raise self.fail()
            self.i += 1
            return ast.Between(start, left, low, self.operand())
        if tok.is_keyword("IN"):
            self.i += 1
            self.take_punct("(")
            choices = [self.operand()]
            while self.punct(","):
                self.i += 1
                choices.append(self.operand())
            self.take_punct(")")
            return ast.In(start, left, choices)
        if isinstance(left, ast.Call):
            return left
        raise self.fail()


# ---------------------------------------------------------------- update


class UpdateParser(_Parser):
    def __init__(self, text: str) -> None:
        super().__init__("UpdateExpression", text, UPDATE_KEYWORDS)
        self.clause_order: list[str] = []  # clause keywords as written

    def parse(self) -> ast.UpdateTree:
        tree = ast.UpdateTree()
        try:
            self.clause(tree)
            while self.tok.kind != EOF:
                self.clause(tree)
            return tree
        except _Fail:
            raise self.error() from None

    def clause(self, tree: ast.UpdateTree) -> None:
        tok = self.tok
        word = tok.text.upper() if tok.kind == NAME else ""
        if word not in UPDATE_KEYWORDS:
            raise self.fail()
        self.clause_order.append(word)
        self.i += 1
        action = {
            "SET": self.set_action,
            "REMOVE": self.remove_action,
            "ADD": self.add_action,
            "DELETE": self.delete_action,
        }[word]
        target = {"SET": tree.sets, "REMOVE": tree.removes, "ADD": tree.adds,
                  "DELETE": tree.deletes}[word]
        target.append(action())
        while self.punct(","):
            self.i += 1
            target.append(action())

    def set_action(self) -> ast.SetAction:
        start = self.i
        path = self.path()
        self.take_punct("=")
        if self.punct("("):
            self.i += 1
            value = self.set_value()
            self.take_punct(")")
        else:
            value = self.set_value()
        return ast.SetAction(start, path, value)

    def set_value(self) -> ast.Node:
        left = self.operand_in_parens()
        tok = self.tok
        if tok.kind == PUNCT and tok.text in ("+", "-"):
            self.i += 1
            return ast.Arith(left.pos, tok.text, left, self.operand_in_parens())
        return left

    def operand_in_parens(self) -> ast.Node:
        if self.punct("("):
            self.i += 1
            node = self.update_operand()
            self.take_punct(")")
            return node
        return self.update_operand()

    def update_operand(self) -> ast.Node:
        tok = self.tok
        if tok.kind == ATTR_VALUE:
            self.i += 1
            return ast.ValueRef(self.i - 1, tok.text)
        if self.starts_call():
            return self.call(self.operand_in_parens)
        return self.path()

    def remove_action(self) -> ast.RemoveAction:
        start = self.i
        return ast.RemoveAction(start, self.path())

    def _value_ref(self) -> ast.ValueRef:
        tok = self.tok
        if tok.kind != ATTR_VALUE:
            raise self.fail()
        self.i += 1
        return ast.ValueRef(self.i - 1, tok.text)

    def add_action(self) -> ast.AddAction:
        start = self.i
        path = self.path()
        return ast.AddAction(start, path, self._value_ref())

    def delete_action(self) -> ast.DeleteAction:
        start = self.i
        path = self.path()
        return ast.DeleteAction(start, path, self._value_ref())


# ---------------------------------------------------------------- projection


class ProjectionParser(_Parser):
    def __init__(self, text: str) -> None:
        super().__init__("ProjectionExpression", text, frozenset())

    def parse(self) -> list[ast.Path]:
        try:
            paths = [self.path()]
            while self.punct(","):
                self.i += 1
                paths.append(self.path())
            self.finish()
            return paths
        except _Fail:
            raise self.error() from None
