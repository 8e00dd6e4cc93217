"""Recursive-descent parser for DynamoDB's PartiQL statements.

    SELECT * | path, ... FROM table[."index"] [WHERE cond] [ORDER BY key [ASC|DESC], ...]
    EXISTS(SELECT ...)            (a condition check, in ExecuteTransaction only)
    INSERT INTO table VALUE {tuple}
    UPDATE table (SET path = value, ... | REMOVE path, ...)+ WHERE cond [RETURNING ...]
    DELETE FROM table WHERE cond [RETURNING ALL OLD *]

Conditions: OR < AND < NOT < comparison / [NOT] BETWEEN / [NOT] IN / IS [NOT] <type>
< + - < operands (paths, literals, ?, function calls, [lists], {maps}, <<sets>>).
Error texts are DynamoDB's where known ("Statement wasn't well formed, can't be
processed: Expected data manipulation", ...).
"""

from __future__ import annotations

from ddblite.errors import ValidationException
from ddblite.partiql import ast
from ddblite.partiql.lexer import Token, malformed, tokenize
from ddblite.validate import TABLE_NAME_PATTERN

ALIASING = "Aliasing is not supported"
STAR_AND_OTHERS = "Other attributes should not be present in the projection when '*' is used."
RETURNING_IN_INSERT = "RETURNING is not supported in INSERT"
DELETE_RETURNING = (
    "Invalid returning clause: RETURNING {}. Only RETURNING ALL OLD * is allowed in DELETE "
    "statements."
)
RETURNING_STAR = "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"
MULTIPLE_INSERT = (
    'Unsupported operation: Inserting multiple items in a single statement is not supported, '
    'use "INSERT INTO tableName VALUE item" instead'
)
INVALID_TABLE_NAME = (
    "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', "
    "'-', '_', '.'."
)
PATH_STARTS_WITH_INDEX = "A path cannot start with a list index"
DML_INVALID_FROM = ("FROM clause may only contain a single table name in data manipulation "
                    "statements")
# INFERRED: DynamoDB's parser words other syntax errors after the common prefix.
UNEXPECTED = "Unexpected term"
LEFTOVER = "Unexpected token after expression"

_COMPARISONS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_IS_TYPES = ("MISSING", "NULL", "BOOLEAN", "BLOB", "STRING", "NUMERIC", "STRUCT", "TUPLE",
             "LIST")
# Words that end an operand list or a condition; never taken as attribute names there.
_RESERVED = frozenset((
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "BETWEEN", "ORDER", "BY",
    "SET", "REMOVE", "RETURNING", "VALUE", "VALUES", "INTO", "INSERT", "UPDATE", "DELETE",
    "AS", "AT", "ASC", "DESC", "LIMIT",
))


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.params = 0

    # ------------------------------------------------------------ token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def word(self, *words: str) -> bool:
        if self.token.is_word(*words):
            self.at += 1
            return True
        return False

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            raise malformed(UNEXPECTED)

    def op(self, *ops: str) -> str | None:
        token = self.token
        if token.kind == "OP" and token.text in ops:
            self.at += 1
            return token.text
        return None

    def expect_op(self, text: str) -> None:
        if self.op(text) is None:
            raise malformed(UNEXPECTED)

    # ------------------------------------------------------------ statements
    def parse(self) -> ast.Statement:
        token = self.token
        if token.is_word("SELECT"):
            self.at += 1
            statement: ast.Statement = self.select()
        elif token.is_word("INSERT"):
            self.at += 1
            statement = self.insert()
        elif token.is_word("UPDATE"):
            self.at += 1
            statement = self.update()
        elif token.is_word("DELETE"):
            self.at += 1
            statement = self.delete()
        elif token.is_word("EXISTS"):
            self.at += 1
            self.expect_op("(")
            self.expect_word("SELECT")
            statement = ast.Exists(self.select())
            self.expect_op(")")
        else:
            raise malformed("Expected data manipulation")
        if self.token.kind != "END":
            raise malformed(LEFTOVER)
        statement.params = self.params
        return statement

    def table_name(self) -> str:
        token = self.advance()
        if token.kind not in ("NAME", "QNAME") or (
                token.kind == "NAME" and token.text.upper() in _RESERVED):
            raise malformed(UNEXPECTED)
        name = token.text
        if not 3 <= len(name) <= 255 or not TABLE_NAME_PATTERN.fullmatch(name):
            raise ValidationException(INVALID_TABLE_NAME)
        return name

    def target(self) -> tuple[str, str | None]:
        """`table` or `"table"."index"`."""
        table = self.table_name()
        if not self.op("."):
            return table, None
        token = self.advance()
        if token.kind not in ("NAME", "QNAME"):
            raise malformed(UNEXPECTED)
        return table, token.text

    def no_alias(self) -> None:
        token = self.token
        if token.is_word("AS") or (token.kind in ("NAME", "QNAME")
                                   and token.text.upper() not in _RESERVED):
            raise ValidationException(ALIASING)

    def select(self) -> ast.Select:
        projection: list[ast.Path] | None = None
        if self.op("*"):
            if self.op(","):
                raise ValidationException(STAR_AND_OTHERS)
        else:
            projection = [self.path()]
            while self.op(","):
                if self.op("*"):
                    raise ValidationException(STAR_AND_OTHERS)
                projection.append(self.path())
        self.expect_word("FROM")
        table, index = self.target()
        self.no_alias()
        where = self.condition() if self.word("WHERE") else None
        order: list[tuple[str, bool]] = []
        if self.word("ORDER"):
            self.expect_word("BY")
            while True:
                key = self.path()
                descending = False
                if self.word("DESC"):
                    descending = True
                else:
                    self.word("ASC")
                order.append((key.elements[0], descending))  # type: ignore[arg-type]
                if not self.op(","):
                    break
        return ast.Select(table, index, projection, where, order)

    def insert(self) -> ast.Insert:
        self.expect_word("INTO")
        table = self.table_name()
        if self.token.kind == "OP" and self.token.text == ".":
            raise ValidationException(DML_INVALID_FROM)
        if self.token.is_word("VALUES"):
            raise ValidationException(MULTIPLE_INSERT)
        self.expect_word("VALUE")
        item = self.operand()
        if self.token.is_word("RETURNING"):
            raise ValidationException(RETURNING_IN_INSERT)
        return ast.Insert(table, item)

    def update(self) -> ast.Update:
        table, index = self.target()
        sets: list[tuple[ast.Path, ast.Node]] = []
        removes: list[ast.Path] = []
        while True:
            if self.word("SET"):
                while True:
                    target = self.path()
                    self.expect_op("=")
                    sets.append((target, self.operand()))
                    if not self.op(","):
                        break
            elif self.word("REMOVE"):
                removes.append(self.path())
                while self.op(","):
                    removes.append(self.path())
            else:
                break
        if not sets and not removes:
            raise malformed(UNEXPECTED)
        if not self.word("WHERE"):
            if self.token.kind == "END":
                raise ValidationException(INCOMPLETE_KEY)
            raise malformed(UNEXPECTED)
        where = self.condition()
        return ast.Update(table, index, sets, removes, where, self.returning())

    def delete(self) -> ast.Delete:
        self.expect_word("FROM")
        table, index = self.target()
        self.no_alias()
        if not self.word("WHERE"):
            if self.token.kind == "END":
                raise ValidationException(INCOMPLETE_KEY)
            raise malformed(UNEXPECTED)
        where = self.condition()
        returning = self.returning()
        if returning is not None and returning != "ALL OLD":
            raise ValidationException(DELETE_RETURNING.format(returning + " *"))
        return ast.Delete(table, index, where, returning)

    def returning(self) -> str | None:
        if not self.word("RETURNING"):
            return None
        first = self.advance()
        second = self.advance()
        if not (first.is_word("ALL", "MODIFIED") and second.is_word("OLD", "NEW")):
            raise malformed(UNEXPECTED)
        if self.op("*") is None:
            raise ValidationException(RETURNING_STAR)
        return f"{first.text.upper()} {second.text.upper()}"

    # ------------------------------------------------------------ conditions
    def condition(self) -> ast.Node:
        node = self.conjunction()
        while self.word("OR"):
            node = ast.Or(node, self.conjunction())
        return node

    def conjunction(self) -> ast.Node:
        node = self.negation()
        while self.word("AND"):
            node = ast.And(node, self.negation())
        return node

    def negation(self) -> ast.Node:
        if self.word("NOT"):
            return ast.Not(self.negation())
        return self.predicate()

    def predicate(self) -> ast.Node:
        left = self.operand()
        token = self.token
        if token.kind == "OP" and token.text in _COMPARISONS:
            self.at += 1
            return ast.Compare(_COMPARISONS[token.text], left, self.operand())
        negated = self.word("NOT")
        if self.word("BETWEEN"):
            low = self.operand()
            self.expect_word("AND")
            node: ast.Node = ast.Between(left, low, self.operand())
            return ast.Not(node) if negated else node
        if self.word("IN"):
            node = ast.In(left, self.choices())
            return ast.Not(node) if negated else node
        if negated:
            raise malformed(UNEXPECTED)
        if self.word("IS"):
            is_not = self.word("NOT")
            type_token = self.advance()
            if not type_token.is_word(*_IS_TYPES):
                raise malformed(UNEXPECTED)
            return ast.Is(left, type_token.text.upper(), is_not)
        return left

    def choices(self) -> list[ast.Node]:
        close = {"[": "]", "(": ")"}.get(self.op("[", "(") or "")
        if close is None:
            raise malformed(UNEXPECTED)
        items = [self.operand()]
        while self.op(","):
            items.append(self.operand())
        self.expect_op(close)
        return items

    # ------------------------------------------------------------ operands
    def operand(self) -> ast.Node:
        node = self.primary()
        while True:
            op = self.op("+", "-")
            if op is None:
                return node
            node = ast.Arith(op, node, self.primary())

    def primary(self) -> ast.Node:
        token = self.token
        kind = token.kind
        if kind == "STRING":
            self.at += 1
            return ast.Literal("S", token.text)
        if kind == "NUMBER":
            self.at += 1
            return ast.Literal("N", token.text)
        if kind == "PARAM":
            self.at += 1
            self.params += 1
            return ast.Param(self.params - 1)
        if kind == "OP":
            return self.punctuated(token)
        if kind == "QNAME":
            return self.path()
        if kind == "NAME":
            upper = token.text.upper()
            if upper in ("TRUE", "FALSE"):
                self.at += 1
                return ast.Literal("BOOL", upper == "TRUE")
            if upper in ("NULL", "MISSING"):
                self.at += 1
                return ast.Literal(upper, True)
            following = self.tokens[self.at + 1]
            if following.kind == "OP" and following.text == "(":
                return self.call()
            if upper in _RESERVED:
                raise malformed(UNEXPECTED)
            return self.path()
        raise malformed(UNEXPECTED)

    def punctuated(self, token: Token) -> ast.Node:
        text = token.text
        if text == "-":  # a negative number literal
            self.at += 1
            number = self.token
            if number.kind != "NUMBER":
                raise malformed(UNEXPECTED)
            self.at += 1
            return ast.Literal("N", "-" + number.text)
        if text == "(":
            self.at += 1
            node = self.condition()
            self.expect_op(")")
            return node
        if text == "[":
            self.at += 1
            items = self.items("]")
            return ast.ListValue(items)
        if text == "<<":
            self.at += 1
            return ast.BagValue(self.items(">>"))
        if text == "{":
            self.at += 1
            pairs: list[tuple[ast.Node, ast.Node]] = []
            if self.op("}") is None:
                while True:
                    key = self.operand()
                    self.expect_op(":")
                    pairs.append((key, self.operand()))
                    if self.op(",") is None:
                        break
                self.expect_op("}")
            return ast.MapValue(pairs)
        raise malformed(UNEXPECTED)

    def items(self, close: str) -> list[ast.Node]:
        items: list[ast.Node] = []
        if self.op(close) is not None:
            return items
        items.append(self.operand())
        while self.op(","):
            items.append(self.operand())
        self.expect_op(close)
        return items

    def call(self) -> ast.Call:
        name = self.advance().text.lower()
        self.expect_op("(")
        args = self.items(")")
        return ast.Call(name, args)

    def path(self) -> ast.Path:
        token = self.advance()
        if token.kind == "OP" and token.text == "[":
            raise ValidationException(PATH_STARTS_WITH_INDEX)
        if token.kind not in ("NAME", "QNAME"):
            raise malformed(UNEXPECTED)
        elements: list[ast.PathElement] = [token.text]
        while True:
            if self.op("."):
                part = self.advance()
                if part.kind not in ("NAME", "QNAME"):
                    raise malformed(UNEXPECTED)
                elements.append(part.text)
            elif self.op("["):
                index = self.advance()
                if index.kind == "NUMBER" and index.text.isdigit():
                    elements.append(int(index.text))
                elif index.kind == "STRING":  # a['key'] is a map lookup
                    elements.append(index.text)
                else:
                    raise malformed(UNEXPECTED)
                self.expect_op("]")
            else:
                return ast.Path(elements)


def parse(text: str) -> ast.Statement:
    return Parser(text).parse()
