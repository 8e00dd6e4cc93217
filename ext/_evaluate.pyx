# cython: language_level=3, cdivision=True
# cython: initializedcheck=False, embedsignature=True
# cython: annotation_typing=False
"""Compiled twin of :mod:`ddblite.expressions.evaluate`.

``compile_condition(tree, values)`` turns a resolved condition tree into a tree of
typed predicate and getter objects; calling the result on a stored item answers the
condition exactly as the pure closures do (same results, same exceptions), which
``tests/expressions/test_evaluate_twins.py`` checks on random items and conditions.
``ddblite.expressions.evaluate`` documents the rules.

Where the speed comes from: nodes call each other through C vtables, comparison
operators are C ints picked once at compile time, exact dicts and lists are read
with the C API, and ordering compares canonical number text digit by digit (no
Decimal) and str/bytes in place. Anything outside those fast paths (a malformed
number, a non-dict value, a negative list index) takes the same Python operations
the pure twin runs, so it behaves the same, errors included. (Bounds checks stay on:
indexing a tree's lists must raise IndexError as Python does; the hot paths index
with the C API after their own checks.)
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_CheckExact, PyDict_GetItemWithError, PyDict_Next
from cpython.list cimport PyList_CheckExact, PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.unicode cimport (
    PyUnicode_CheckExact,
    PyUnicode_Compare,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_READ_CHAR,
    PyUnicode_Tailmatch,
)
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp

from decimal import Decimal

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)
    const Py_ssize_t PY_SSIZE_T_MAX

__all__ = ["compile_condition", "compile_operand", "compare", "size_of", "type_of"]

_ORDERED = ("S", "N", "B")

# Comparison operators, fixed when a condition is compiled. An unknown operator
# compares as >= (the fall-through of the pure ``compare``).
cdef enum:
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE

# The ordered types a comparison can involve.
cdef enum:
    KIND_NONE, KIND_S, KIND_N, KIND_B

# Path steps: a map key, a list index that fits Py_ssize_t, or any other int
# (negative or huge), which goes through the generic Python operations.
cdef enum:
    STEP_KEY = -1
    STEP_GENERIC_INDEX = -2


cdef int _op_code(object op) except -1:
    if op == "=":
        return OP_EQ
    if op == "<>":
        return OP_NE
    if op == "<":
        return OP_LT
    if op == "<=":
        return OP_LE
    if op == ">":
        return OP_GT
    return OP_GE


# ---------------------------------------------------------------- value helpers


cdef inline object _get(object mapping, object key):
    """``mapping.get(key)``, straight from the hash table for exact dicts."""
    cdef PyObject* found
    if PyDict_CheckExact(mapping):
        found = PyDict_GetItemWithError(mapping, key)
        if found is NULL:
            return None
        return <object>found
    return mapping.get(key)


cpdef object type_of(object value):
    """The type tag of an AttributeValue (its first key)."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* inner
    if PyDict_CheckExact(value):
        if PyDict_Next(value, &pos, &key, &inner):
            return <object>key
        raise ValueError("empty AttributeValue")
    for tag in value:
        return tag
    raise ValueError("empty AttributeValue")


cdef int _ordered_kind(object tag) except -1:
    """Which ordered type a tag names, KIND_NONE for the unordered ones."""
    cdef Py_UCS4 char
    if PyUnicode_CheckExact(tag):
        if PyUnicode_GET_LENGTH(tag) != 1:
            return KIND_NONE
        char = PyUnicode_READ_CHAR(tag, 0)
        if char == u"S":
            return KIND_S
        if char == u"N":
            return KIND_N
        if char == u"B":
            return KIND_B
        return KIND_NONE
    if tag not in _ORDERED:  # an odd key type: answer as tuple membership would
        return KIND_NONE
    return KIND_S if tag == "S" else KIND_N if tag == "N" else KIND_B


cdef inline bint _holds(int op, int order):
    """Whether ``order`` (negative, zero, positive: left vs right) satisfies ``op``."""
    if op == OP_LT:
        return order < 0
    if op == OP_LE:
        return order <= 0
    if op == OP_GT:
        return order > 0
    return order >= 0


cdef bint _python_holds(int op, object left, object right) except -1:
    """The ordering as Python operators answer it (the general fallback)."""
    if op == OP_LT:
        return left < right
    if op == OP_LE:
        return left <= right
    if op == OP_GT:
        return left > right
    return left >= right


# Canonical number text: -?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?, never "-0". For such text
# the numeric order follows from the sign, the integer digit count and the digits
# themselves; anything else (an exponent, "+1", "1.50") is left to Decimal.
cdef struct Number:
    const char* digits  # integer digits, then "." and fraction digits when present
    Py_ssize_t int_len
    Py_ssize_t frac_len
    bint negative


cdef bint _parse_number(object text, Number* out):
    """Fill ``out`` when ``text`` is canonical number text; false (no error) otherwise."""
    cdef const char* s
    cdef Py_ssize_t n, i = 0, start
    if not PyUnicode_CheckExact(text) or not PyUnicode_IS_ASCII(text):
        return False
    s = <const char*>PyUnicode_DATA(text)
    n = PyUnicode_GET_LENGTH(text)
    out.negative = n > 0 and s[0] == c"-"
    if out.negative:
        i = 1
    start = i
    while i < n and c"0" <= s[i] <= c"9":
        i += 1
    out.int_len = i - start
    if out.int_len == 0 or (out.int_len > 1 and s[start] == c"0"):
        return False
    out.digits = s + start
    out.frac_len = 0
    if i < n:
        if s[i] != c".":
            return False
        i += 1
        while i < n and c"0" <= s[i] <= c"9":
            i += 1
        out.frac_len = i - start - out.int_len - 1
        if i < n or out.frac_len == 0 or s[n - 1] == c"0":
            return False
    elif out.negative and out.int_len == 1 and s[start] == c"0":
        return False  # "-0"
    return True


cdef inline int _sign(long long value):
    return (value > 0) - (value < 0)


cdef int _compare_numbers(const Number* a, const Number* b):
    """Order of two canonical numbers: negative, zero or positive."""
    cdef int order
    cdef Py_ssize_t shared
    if a.negative != b.negative:
        return -1 if a.negative else 1
    if a.int_len != b.int_len:
        order = 1 if a.int_len > b.int_len else -1
    else:
        order = _sign(memcmp(a.digits, b.digits, a.int_len))
        if order == 0:
            shared = a.frac_len if a.frac_len < b.frac_len else b.frac_len
            if shared:
                order = _sign(memcmp(a.digits + a.int_len + 1, b.digits + b.int_len + 1,
                                     shared))
            if order == 0:  # no trailing zeros: the longer fraction is the larger
                order = _sign(a.frac_len - b.frac_len)
    return -order if a.negative else order


cdef int _compare_bytes(bytes a, bytes b):
    cdef Py_ssize_t la = PyBytes_GET_SIZE(a), lb = PyBytes_GET_SIZE(b)
    cdef int order = memcmp(PyBytes_AS_STRING(a), PyBytes_AS_STRING(b), la if la < lb else lb)
    if order:
        return _sign(order)
    return _sign(la - lb)


cdef bint _ordered(int op, int kind, object a, object b) except -1:
    """``a op b`` for two payloads of the same ordered type."""
    cdef Number x, y
    if kind == KIND_N:
        if _parse_number(a, &x) and _parse_number(b, &y):
            return _holds(op, _compare_numbers(&x, &y))
        a = Decimal(a)
        b = Decimal(b)
    elif kind == KIND_S:
        if PyUnicode_CheckExact(a) and PyUnicode_CheckExact(b):
            return _holds(op, PyUnicode_Compare(a, b))
    elif PyBytes_CheckExact(a) and PyBytes_CheckExact(b):
        return _holds(op, _compare_bytes(a, b))
    return _python_holds(op, a, b)


cdef bint _compare(int op, object left, object right) except -1:
    """One comparison between two (possibly missing) values."""
    if op == OP_EQ:
        return left is not None and left == right
    if op == OP_NE:
        return left is None or right is None or left != right
    if left is None or right is None:
        return False
    tag = type_of(left)
    cdef int kind = _ordered_kind(tag)
    if kind == KIND_NONE or tag not in right:
        return False
    return _ordered(op, kind, left[tag], right[tag])


def compare(op, left, right):
    """The pure ``compare``: ``op`` is one of = <> < <= > >=."""
    return _compare(_op_code(op), left, right)


cdef Py_ssize_t _utf16_units(str text) except -1:
    """len(text.encode("utf-16-le")) // 2 without encoding (astral chars count twice)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), units = n, i
    cdef unsigned int kind
    cdef void* data
    cdef Py_UCS4 char
    if PyUnicode_IS_ASCII(text):
        return n
    kind = PyUnicode_KIND(text)
    if kind == 1:
        return n
    data = PyUnicode_DATA(text)
    for i in range(n):
        char = PyUnicode_READ(kind, data, i)
        if char > 0xFFFF:
            units += 1
        elif 0xD800 <= char <= 0xDFFF:  # a lone surrogate: let the encoder raise
            return len(text.encode("utf-16-le")) // 2
    return units


cdef object _size(object value):
    """size() as an int, or None where it is undefined."""
    if value is None:
        return None
    tag = type_of(value)
    inner = value[tag]
    if tag == "S":
        if PyUnicode_CheckExact(inner):
            return _utf16_units(inner)
        return len(inner) if inner.isascii() else len(inner.encode("utf-16-le")) // 2
    if tag in ("B", "SS", "NS", "BS", "L", "M"):
        return len(inner)
    return None


def size_of(value):
    """size(): UTF-16 units for strings (DynamoDB is Java), members/elements otherwise."""
    return _size(value)


# ---------------------------------------------------------------- operands


cdef class Operand:
    """Reads one value from an item: an attribute, a path, a constant, a size."""

    cdef object get(self, object item):
        raise NotImplementedError

    def __call__(self, item):
        return self.get(item)


cdef class AttributeGetter(Operand):
    cdef object name

    def __cinit__(self, name):
        self.name = name

    cdef object get(self, object item):
        return _get(item, self.name)


cdef class PathGetter(Operand):
    """A nested path: map keys and list indexes below a top-level attribute."""

    cdef object first
    cdef tuple elements
    cdef Py_ssize_t depth
    cdef Py_ssize_t* steps  # per element after the first: index, STEP_KEY, STEP_GENERIC_INDEX

    def __cinit__(self, elements):
        cdef Py_ssize_t i
        self.elements = tuple(elements)
        self.depth = len(self.elements)
        self.first = self.elements[0] if self.depth else None
        self.steps = <Py_ssize_t*>malloc((self.depth or 1) * sizeof(Py_ssize_t))
        if self.steps is NULL:
            raise MemoryError()
        for i in range(1, self.depth):
            element = elements[i]
            if not isinstance(element, int):
                self.steps[i] = STEP_KEY
            elif 0 <= element <= PY_SSIZE_T_MAX:
                self.steps[i] = element
            else:
                self.steps[i] = STEP_GENERIC_INDEX

    def __dealloc__(self):
        free(self.steps)

    cdef object get(self, object item):
        cdef Py_ssize_t i, step
        if self.depth == 0:  # never resolved so; fail as the pure get_path does
            raise IndexError("tuple index out of range")
        value = _get(item, self.first)
        for i in range(1, self.depth):
            if value is None:
                return None
            step = self.steps[i]
            if step == STEP_KEY:
                inner = _get(value, "M")
                if inner is None:
                    return None
                value = _get(inner, self.elements[i])
                continue
            inner = _get(value, "L")
            if inner is None:
                return None
            if step >= 0 and PyList_CheckExact(inner):
                if step >= PyList_GET_SIZE(inner):
                    return None
                value = <object>PyList_GET_ITEM(inner, step)
            else:
                element = self.elements[i]
                if element >= len(inner):
                    return None
                value = inner[element]
        return value


cdef class ConstantGetter(Operand):
    cdef object value

    def __cinit__(self, value):
        self.value = value

    cdef object get(self, object item):
        return self.value


cdef class SizeGetter(Operand):
    cdef Operand inner

    def __cinit__(self, Operand inner):
        self.inner = inner

    cdef object get(self, object item):
        n = _size(self.inner.get(item))
        return None if n is None else {"N": str(n)}


# ---------------------------------------------------------------- predicates


cdef class Predicate:
    """A compiled condition: call it on an item for True or False."""

    cdef bint test(self, object item) except -1:
        raise NotImplementedError

    def __call__(self, item):
        return self.test(item)

    def evaluate(self, item):
        """The answer for one item (a one-argument method: the cheapest call)."""
        return self.test(item)


cdef class Always(Predicate):
    cdef bint answer

    def __cinit__(self, bint answer):
        self.answer = answer

    cdef bint test(self, object item) except -1:
        return self.answer


cdef class AndPredicate(Predicate):
    cdef Predicate left, right

    def __cinit__(self, Predicate left, Predicate right):
        self.left, self.right = left, right

    cdef bint test(self, object item) except -1:
        return self.left.test(item) and self.right.test(item)


cdef class OrPredicate(Predicate):
    cdef Predicate left, right

    def __cinit__(self, Predicate left, Predicate right):
        self.left, self.right = left, right

    cdef bint test(self, object item) except -1:
        return self.left.test(item) or self.right.test(item)


cdef class NotPredicate(Predicate):
    cdef Predicate inner

    def __cinit__(self, Predicate inner):
        self.inner = inner

    cdef bint test(self, object item) except -1:
        return not self.inner.test(item)


cdef class ComparePredicate(Predicate):
    """``left op right`` where both sides read the item."""

    cdef int op
    cdef Operand left, right

    def __cinit__(self, int op, Operand left, Operand right):
        self.op, self.left, self.right = op, left, right

    cdef bint test(self, object item) except -1:
        return _compare(self.op, self.left.get(item), self.right.get(item))


cdef class EqualsConstant(Predicate):
    cdef Operand get_value
    cdef object constant
    cdef bint negate  # <> instead of =

    def __cinit__(self, Operand get_value, constant, bint negate):
        self.get_value, self.constant, self.negate = get_value, constant, negate

    cdef bint test(self, object item) except -1:
        if self.negate:
            return self.get_value.get(item) != self.constant
        return self.get_value.get(item) == self.constant


cdef class OrderedConstant(Predicate):
    """``value op constant`` for an S, N or B constant, its number parsed once."""

    cdef Operand get_value
    cdef int op, kind
    cdef object tag, raw
    cdef object against  # key.__gt__ & co, as the pure twin calls them off the fast path
    cdef Number number
    cdef bint number_is_canonical

    def __cinit__(self, Operand get_value, int op, int kind, tag, raw, against):
        self.get_value, self.op, self.kind = get_value, op, kind
        self.tag, self.raw, self.against = tag, raw, against
        # self.raw keeps the text that self.number points into alive.
        self.number_is_canonical = kind == KIND_N and _parse_number(raw, &self.number)

    cdef bint test(self, object item) except -1:
        cdef Number x
        value = self.get_value.get(item)
        if value is None:
            return False
        payload = _get(value, self.tag)
        if payload is None:
            return False
        if self.kind == KIND_N:
            if self.number_is_canonical and _parse_number(payload, &x):
                return _holds(self.op, _compare_numbers(&x, &self.number))
            return self.against(Decimal(payload))
        if self.kind == KIND_S:
            if PyUnicode_CheckExact(payload) and PyUnicode_CheckExact(self.raw):
                return _holds(self.op, PyUnicode_Compare(payload, self.raw))
        elif PyBytes_CheckExact(payload) and PyBytes_CheckExact(self.raw):
            return _holds(self.op, _compare_bytes(payload, self.raw))
        return self.against(payload)


cdef class BetweenPredicate(Predicate):
    cdef Operand get_value, low, high

    def __cinit__(self, Operand get_value, Operand low, Operand high):
        self.get_value, self.low, self.high = get_value, low, high

    cdef bint test(self, object item) except -1:
        value = self.get_value.get(item)
        low = self.low.get(item)
        high = self.high.get(item)
        return _compare(OP_GE, value, low) and _compare(OP_LE, value, high)


cdef class InConstants(Predicate):
    cdef Operand get_value
    cdef list choices

    def __cinit__(self, Operand get_value, list choices):
        self.get_value, self.choices = get_value, choices

    cdef bint test(self, object item) except -1:
        return self.get_value.get(item) in self.choices


cdef class InOperands(Predicate):
    cdef Operand get_value
    cdef list choices  # of Operand

    def __cinit__(self, Operand get_value, list choices):
        self.get_value, self.choices = get_value, choices

    cdef bint test(self, object item) except -1:
        cdef Operand choice
        value = self.get_value.get(item)
        if value is None:
            return False
        for choice in self.choices:
            if value == choice.get(item):
                return True
        return False


cdef class Exists(Predicate):
    cdef Operand get_value
    cdef bint wanted  # True: attribute_exists, False: attribute_not_exists

    def __cinit__(self, Operand get_value, bint wanted):
        self.get_value, self.wanted = get_value, wanted

    cdef bint test(self, object item) except -1:
        return (self.get_value.get(item) is not None) == self.wanted


cdef class HasType(Predicate):
    cdef Operand get_value
    cdef object wanted_tag

    def __cinit__(self, Operand get_value, wanted_tag):
        self.get_value, self.wanted_tag = get_value, wanted_tag

    cdef bint test(self, object item) except -1:
        value = self.get_value.get(item)
        return value is not None and self.wanted_tag in value


cdef int _starts(object value, object prefix, str tag) except -2:
    """1 or 0 when both values hold ``tag`` (does value start with prefix?), -1 if not."""
    cdef Py_ssize_t n
    cdef PyObject* found_whole
    cdef PyObject* found_start
    if PyDict_CheckExact(value) and PyDict_CheckExact(prefix):
        found_whole = PyDict_GetItemWithError(value, tag)
        found_start = PyDict_GetItemWithError(prefix, tag)
        if found_whole is NULL or found_start is NULL:
            return -1
        whole, start = <object>found_whole, <object>found_start
    elif tag in value and tag in prefix:
        whole, start = value[tag], prefix[tag]
    else:
        return -1
    if PyUnicode_CheckExact(whole) and PyUnicode_CheckExact(start):
        return PyUnicode_Tailmatch(whole, start, 0, PY_SSIZE_T_MAX, -1) == 1
    if PyBytes_CheckExact(whole) and PyBytes_CheckExact(start):
        n = PyBytes_GET_SIZE(start)
        return n <= PyBytes_GET_SIZE(whole) and memcmp(
            PyBytes_AS_STRING(whole), PyBytes_AS_STRING(start), n) == 0
    return bool(whole.startswith(start))


cdef bint _begins_with(object value, object prefix) except -1:
    cdef int answer
    if value is None or prefix is None:
        return False
    answer = _starts(value, prefix, "S")
    if answer < 0:
        answer = _starts(value, prefix, "B")
    return answer == 1


cdef class BeginsWith(Predicate):
    cdef Operand first, second

    def __cinit__(self, Operand first, Operand second):
        self.first, self.second = first, second

    cdef bint test(self, object item) except -1:
        return _begins_with(self.first.get(item), self.second.get(item))


cdef bint _contains(object value, object operand) except -1:
    if value is None or operand is None:
        return False
    tag = type_of(value)
    inner = value[tag]
    if tag == "S" or tag == "B":
        part = _get(operand, tag)
        return part is not None and part in inner
    if tag == "SS":
        member = _get(operand, "S")
    elif tag == "NS":
        member = _get(operand, "N")
    elif tag == "BS":
        member = _get(operand, "B")
    elif tag == "L":
        return operand in inner
    else:
        return False
    return member is not None and member in inner


cdef class Contains(Predicate):
    cdef Operand first, second

    def __cinit__(self, Operand first, Operand second):
        self.first, self.second = first, second

    cdef bint test(self, object item) except -1:
        return _contains(self.first.get(item), self.second.get(item))


# ---------------------------------------------------------------- compilation

# The node classes, imported on first use: this module loads while
# ddblite.expressions is still initialising.
cdef object Path = None, ValueRef = None, Literal = None, Call = None
cdef object Compare = None, Between = None, In = None
cdef object And = None, Or = None, Not = None, TrueCondition = None


cdef void _load_node_classes() except *:
    global Path, ValueRef, Literal, Call, Compare, Between, In, And, Or, Not, TrueCondition
    if Path is not None:
        return
    from ddblite.expressions import ast
    ValueRef, Literal, Call = ast.ValueRef, ast.Literal, ast.Call
    Compare, Between, In = ast.Compare, ast.Between, ast.In
    And, Or, Not, TrueCondition = ast.And, ast.Or, ast.Not, ast.TrueCondition
    Path = ast.Path


cdef Operand _operand(object node, object values):
    if isinstance(node, Path):
        elements = node.elements
        if len(elements) == 1:
            return AttributeGetter(elements[0])
        return PathGetter(elements)
    if isinstance(node, (ValueRef, Literal)):
        return ConstantGetter(values[node.ref] if isinstance(node, ValueRef) else node.value)
    if isinstance(node, Call) and node.name == "size":
        return SizeGetter(_operand(node.args[0], values))
    raise TypeError(f"not an operand: {type(node).__name__}")


def compile_operand(node, object values):
    """A getter (call it on an item) for an operand of a resolved tree."""
    _load_node_classes()
    return _operand(node, values)


cdef object _constant(object node, object values):
    if isinstance(node, ValueRef):
        return values[node.ref]
    if isinstance(node, Literal):
        return node.value
    return None


cdef Predicate _compare_node(object node, object values):
    op = node.op
    cdef Operand get_left = _operand(node.left, values)
    constant = _constant(node.right, values)
    if constant is None:  # general case: both sides read the item
        return ComparePredicate(_op_code(op), get_left, _operand(node.right, values))
    if op == "=":
        return EqualsConstant(get_left, constant, False)
    if op == "<>":
        return EqualsConstant(get_left, constant, True)
    tag = type_of(constant)
    if tag not in _ORDERED:
        return Always(False)
    raw = constant[tag]
    key = Decimal(raw) if tag == "N" else raw
    against = {"<": key.__gt__, "<=": key.__ge__, ">": key.__lt__, ">=": key.__le__}[op]
    return OrderedConstant(get_left, _op_code(op), _ordered_kind(tag), tag, raw, against)


cdef Predicate _in_node(object node, object values):
    cdef Operand get_value = _operand(node.operand, values)
    constants = [_constant(choice, values) for choice in node.choices]
    if all(c is not None for c in constants):
        return InConstants(get_value, constants)
    return InOperands(get_value, [_operand(choice, values) for choice in node.choices])


cdef Predicate _call_node(object node, object values):
    name = node.name
    if name == "attribute_exists":
        return Exists(_operand(node.args[0], values), True)
    if name == "attribute_not_exists":
        return Exists(_operand(node.args[0], values), False)
    cdef Operand first = _operand(node.args[0], values)
    cdef Operand second = _operand(node.args[1], values)
    if name == "attribute_type":
        wanted = _constant(node.args[1], values)
        return HasType(first, wanted["S"] if wanted is not None else None)
    if name == "begins_with":
        return BeginsWith(first, second)
    if name == "contains":
        return Contains(first, second)
    raise TypeError(f"not a condition function: {name}")


cdef Predicate _condition(object node, object values):
    if isinstance(node, And):
        return AndPredicate(_condition(node.left, values), _condition(node.right, values))
    if isinstance(node, Or):
        return OrPredicate(_condition(node.left, values), _condition(node.right, values))
    if isinstance(node, Not):
        return NotPredicate(_condition(node.operand, values))
    if isinstance(node, Compare):
        return _compare_node(node, values)
    if isinstance(node, Between):
        return BetweenPredicate(_operand(node.operand, values), _operand(node.low, values),
                                _operand(node.high, values))
    if isinstance(node, In):
        return _in_node(node, values)
    if isinstance(node, Call):
        return _call_node(node, values)
    if isinstance(node, TrueCondition):
        return Always(True)
    raise TypeError(f"not a condition: {type(node).__name__}")


def compile_condition(node, object values):
    """A predicate over items for a resolved condition tree.

    The result is the tree's bound ``evaluate`` method (``.__self__`` is the tree):
    a one-argument method is called faster than an object's ``__call__``.
    """
    _load_node_classes()
    return _condition(node, values).evaluate
