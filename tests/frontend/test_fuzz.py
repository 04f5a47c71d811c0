"""Compiling never raises anything but CompileError, never hits an internal error,
and whatever compiles verifies: random token soup and mutated fixtures."""
import os
import re

from hypothesis import HealthCheck, given, settings, strategies as st
from fuzz_budget import examples

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering.ir.verify import verify_module

from .util import FIXTURE_FILES

EXAMPLES = examples(150, "FRONTEND_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VOCABULARY = [
    "fn", "val", "let", "var", "mut", "const", "shared", "if", "elif", "else", "while", "for", "in", "break",
    "continue", "return", "pass", "and", "or", "not", "true", "false", "as", "#[gpu]", "@gpu", "@simd",
    "#[gpu(local_size=(8, 8))]", "x", "y", "i", "n", "k", "gpu", "math", "this", "range", "len", "sqrt", "min",
    "f32", "i32", "u32", "i64", "f16", "u8", "bool", "Array", "0", "1", "2", "-1", "0xff", "1_000", "1.5",
    "1e-3", "3u8", "+", "-", "*", "/", "%", "**", "&", "|", "^", "~", "<<", ">>", "<", "<=", ">", ">=", "==",
    "!=", "=", "+=", "<<=", "(", ")", "[", "]", ",", ":", ".", "..", "->", ";", "&mut", "\n", "\n    ",
    "\n        ", "\t", "#", "\"", "$", "gpu.global_id(0)", "gpu.barrier()", "gpu.atomic_add(&y[0], 1)",
    "gpu.shared_memory<f32>(4)", "this.index()", ".len()", "[f32; 4]", "&[f32]", "[f32]",
]

SEEDS = [p.read_text() for p in FIXTURE_FILES]
WORD = re.compile(r"\w+")
WORDS = sorted({w for seed in SEEDS for w in WORD.findall(seed)})


def check(text: str) -> None:
    try:
        module = compile_source(text, "fuzz.spl")
    except CompileError as e:
        rendered = e.render()
        assert e.diagnostics and "internal compiler error" not in rendered, rendered
        for d in e.diagnostics:
            assert d.severity == "error" and d.message
        return
    verify_module(module)


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=60))
def test_token_soup(tokens):
    check(" ".join(tokens))


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40), st.sampled_from(range(len(SEEDS))))
def test_statements_spliced_into_a_kernel(tokens, seed):
    lines = SEEDS[seed].splitlines()
    body = [i for i, line in enumerate(lines) if line.startswith("    ")]
    at = body[len(tokens) % len(body)] if body else 0
    lines.insert(at, "    " + " ".join(tokens).replace("\n", "\n    "))
    check("\n".join(lines))


@st.composite
def mutated_fixture(draw):
    text = SEEDS[draw(st.sampled_from(range(len(SEEDS))))]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "duplicate_line", "drop_line", "swap_chars", "replace",
                                     "replace_word", "replace_word"]))
        pos = draw(st.integers(0, max(0, len(text) - 1)))
        lines = text.splitlines(keepends=True)
        line = draw(st.integers(0, max(0, len(lines) - 1)))
        if kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:pos] + draw(st.sampled_from(VOCABULARY)) + text[pos:]
        elif kind == "duplicate_line" and lines:
            text = "".join(lines[:line + 1] + lines[line:])
        elif kind == "drop_line" and lines:
            text = "".join(lines[:line] + lines[line + 1:])
        elif kind == "swap_chars" and pos + 1 < len(text):
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
        elif kind == "replace":
            text = text[:pos] + draw(st.characters(codec="utf-8")) + text[pos + 1:]
        elif kind == "replace_word":
            words = list(WORD.finditer(text))
            if words:
                w = words[draw(st.integers(0, len(words) - 1))]
                text = text[:w.start()] + draw(st.sampled_from(VOCABULARY + WORDS)) + text[w.end():]
    return text


@FUZZ
@given(mutated_fixture())
def test_mutated_fixtures(text):
    check(text)


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    check(text)
