"""Random well-typed modules: they verify, and print -> parse -> print is exact."""
import re

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fuzz_budget import examples

from ir_strategies import IRGenConfig, modules
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRParseError
from simple_vkbackend.lowering.ir.equal import ir_diff
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.ir.verify import module_problems, verify_module

RANDOM = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM
@given(modules())
def test_random_modules_verify_and_round_trip(module):
    verify_module(module)
    text = print_module(module)
    parsed = parse_module(text)
    assert ir_diff(module, parsed) is None
    assert print_module(parsed) == text


NARROW = IRGenConfig(scalar_types=(ir.I32, ir.U32, ir.F32, ir.BOOL), max_block_depth=3, dead_code=False)


@RANDOM
@given(modules(NARROW))
def test_narrow_config_modules_verify_and_round_trip(module):
    verify_module(module)
    assert ir_diff(module, parse_module(print_module(module))) is None
    for fn in [*module.kernels, *module.functions]:
        for p in fn.params:
            assert (p.type.elem if isinstance(p.type, ir.BufferType) else p.type) in NARROW.scalar_types


@RANDOM
@given(modules(), st.data())
def test_mangled_text_gives_parse_or_verify_errors_only(module, data):
    """Deleting or replacing a token-sized piece of valid text never crashes the parser
    or the verifier: the result is an IRParseError, or a module the verifier judges."""
    text = print_module(module)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start, min(len(text), start + 8)))
    mangled = text[:start] + data.draw(st.sampled_from(["", "x", "(", "]", "1:i32", "\n", "!", "-"])) + text[end:]
    try:
        parsed = parse_module(mangled)
    except IRParseError as e:
        assert re.match(r"\d+:\d+: ", str(e))
        return
    module_problems(parsed)


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_module_names_round_trip(name):
    """Any module name (quotes, backslashes, control characters, non-ASCII, lone
    surrogates) prints and parses back to itself."""
    module = ir.Module(name=name)
    assert parse_module(print_module(module)).name == name


@pytest.mark.parametrize("text", ['module "a\\"', 'module "\\q"', 'module "\\u12"', 'module "a\tb"',
                                  'module "\\"\\\\\\x"'])
def test_malformed_module_name_is_a_parse_error(text):
    """A string token the tokenizer accepts but JSON does not is an IRParseError with a
    position, never a json.JSONDecodeError (a mangled name used to escape the parser)."""
    with pytest.raises(IRParseError, match=r"^\d+:\d+: "):
        parse_module(text)
