"""The lexer: tokens, numbers, indentation, attributes versus comments, lexical errors."""
import pytest

from simple_vkbackend.frontend.diagnostics import DiagnosticBag
from simple_vkbackend.frontend.lexer import tokenize
from simple_vkbackend.frontend.source import SourceFile

from .util import src


def lex(text: str):
    source = SourceFile("t.spl", text)
    bag = DiagnosticBag(source)
    return tokenize(source, bag), bag


def kinds(text: str) -> list[str]:
    toks, bag = lex(text)
    assert not bag.has_errors, [d.render() for d in bag.diagnostics]
    return [t.kind for t in toks]


def lex_errors(text: str) -> list[str]:
    _, bag = lex(text)
    return [d.message for d in bag.diagnostics]


@pytest.mark.parametrize("text, kind, value, suffix", [
    ("42", "INT", 42, None),
    ("0xff", "INT", 255, None),
    ("0XFF_FF", "INT", 65535, None),
    ("0b1010", "INT", 10, None),
    ("0o17", "INT", 15, None),
    ("1_000", "INT", 1000, None),
    ("007", "INT", 7, None),
    ("1.5", "FLOAT", 1.5, None),
    ("1e-3", "FLOAT", 1e-3, None),
    ("2.5E+2", "FLOAT", 250.0, None),
    ("1_0.2_5", "FLOAT", 10.25, None),
    ("3u32", "INT", 3, "u32"),
    ("0xffu8", "INT", 255, "u8"),
    ("7i64", "INT", 7, "i64"),
    ("2f32", "FLOAT", 2.0, "f32"),
    ("1.5f64", "FLOAT", 1.5, "f64"),
])
def test_number_literals(text, kind, value, suffix):
    toks, bag = lex(text)
    assert not bag.has_errors
    tok = toks[0]
    assert (tok.kind, tok.value, tok.suffix) == (kind, value, suffix)
    assert type(tok.value) is (int if kind == "INT" else float)


def test_range_dots_are_not_a_float():
    toks, _ = lex("0..n")
    assert [(t.kind, t.text) for t in toks[:3]] == [("INT", "0"), ("..", ".."), ("NAME", "n")]


def test_longest_operator_wins():
    toks, _ = lex("a <<= b ** c -> d .. e >>= f != g <= h")
    ops = [t.kind for t in toks if t.kind not in ("NAME", "NEWLINE", "EOF")]
    assert ops == ["<<=", "**", "->", "..", ">>=", "!=", "<="]


def test_keywords_and_names():
    toks, _ = lex("val var let mut fn value vars gpu this")
    assert [t.kind for t in toks[:9]] == ["val", "var", "let", "mut", "fn", "NAME", "NAME", "NAME", "NAME"]


def test_indentation_tokens():
    text = src("""
        fn f():
            if a:
                b = 1

                c = 2   # comment
        # a comment at column 0 does not dedent
            d = 3
        e
        """)
    assert kinds(text) == [
        "fn", "NAME", "(", ")", ":", "NEWLINE",
        "INDENT", "if", "NAME", ":", "NEWLINE",
        "INDENT", "NAME", "=", "INT", "NEWLINE",
        "NAME", "=", "INT", "NEWLINE",
        "DEDENT", "NAME", "=", "INT", "NEWLINE",
        "DEDENT", "NAME", "NEWLINE", "EOF"]


def test_brackets_join_lines_and_ignore_indentation():
    text = "x = f(1,\n      2,\n  3\n)\ny = 1\n"
    assert kinds(text) == ["NAME", "=", "NAME", "(", "INT", ",", "INT", ",", "INT", ")", "NEWLINE",
                           "NAME", "=", "INT", "NEWLINE", "EOF"]


def test_dedents_at_end_of_file_without_newline():
    assert kinds("fn f():\n    if a:\n        pass")[-4:] == ["NEWLINE", "DEDENT", "DEDENT", "EOF"]


def test_attribute_opener_versus_comment():
    toks, _ = lex("#[gpu(local_size=(16, 16))] # [not an attribute] #[nor this]\n")
    assert [t.kind for t in toks][:3] == ["#[", "NAME", "("]
    assert toks[-3].kind == "]"


def test_crlf_line_endings():
    assert kinds("fn f():\r\n    pass\r\n") == ["fn", "NAME", "(", ")", ":", "NEWLINE", "INDENT", "pass",
                                                "NEWLINE", "DEDENT", "EOF"]


def test_tab_in_indentation_is_an_error():
    assert lex_errors("fn f():\n\tpass\n") == ["tab in indentation"]


def test_tab_between_tokens_is_whitespace():
    assert kinds("x\t=\t1\n") == ["NAME", "=", "INT", "NEWLINE", "EOF"]


@pytest.mark.parametrize("text, message", [
    ("x = 3 $ 4\n", "unexpected character `$`"),
    ("x = \"s\"\n", "string literals are not supported"),
    ("x = 3q\n", "invalid suffix `q` on number"),
    ("x = 1.5u8\n", "float literal with integer suffix `u8`"),
    ("x = (1, 2]\n", "`]` does not match `(`"),
    ("x = 1)\n", "unmatched `)`"),
    ("x = (1\n", "`(` is never closed"),
    ("x = \\\n", "unexpected character `\\`"),
    ("x = \x00\n", "unexpected character `\\x00`"),
    ("fn f():\n        a\n    b\n", "unindent does not match any outer indentation level"),
])
def test_lexical_errors(text, message):
    assert lex_errors(text)[0] == message


def test_unclosed_bracket_recovers_at_a_less_indented_line():
    text = src("""
        fn f():
            x = g(1,
            y = 2
            z = (
                3
            )
        """)
    toks, bag = lex(text)
    assert [d.message for d in bag.diagnostics] == ["`(` is never closed"]
    assert bag.diagnostics[0].line == 2
    names = [t.text for t in toks if t.kind == "NAME"]
    assert names == ["f", "x", "g", "y", "z"]


def test_tokens_carry_spans():
    toks, _ = lex("val total = 0x10\n")
    assert [(t.text, t.start, t.end) for t in toks[:4]] == [("val", 0, 3), ("total", 4, 9), ("=", 10, 11),
                                                           ("0x10", 12, 16)]
