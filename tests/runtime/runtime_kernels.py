"""Test helper: SPIR-V kernels written for particular runtime tests (assembled with
runtime_spirv), apart from the fixtures every runtime test sees."""
from __future__ import annotations

import functools

import runtime_spirv

# spin: every work item steps an LCG 60000 times from its id and stores the result in
# data[0] only if it equals a constant it (almost) never equals (one buffer of uint,
# local size 1). A multiplicative recurrence whose result every work item needs, so no
# compiler can fold the loop or skip it in work items that store nothing (an NVIDIA
# driver did when only data[i < length] was stored); kept under the 65535 iterations
# lavapipe allows one loop: a launch runs for as long as its global size asks (for the
# interrupt, timeout and lifetime tests that need work still running on the device).
SPIN = """
               OpCapability Shader
               OpMemoryModel Logical GLSL450
               OpEntryPoint GLCompute %main "spin" %gid
               OpExecutionMode %main LocalSize 1 1 1
               OpDecorate %gid BuiltIn GlobalInvocationId
               OpDecorate %rt_uint ArrayStride 4
               OpMemberDecorate %Buf 0 Offset 0
               OpDecorate %Buf Block
               OpDecorate %data DescriptorSet 0
               OpDecorate %data Binding 0
       %void = OpTypeVoid
     %fnvoid = OpTypeFunction %void
       %bool = OpTypeBool
       %uint = OpTypeInt 32 0
        %int = OpTypeInt 32 1
     %v3uint = OpTypeVector %uint 3
    %rt_uint = OpTypeRuntimeArray %uint
        %Buf = OpTypeStruct %rt_uint
    %ptr_buf = OpTypePointer StorageBuffer %Buf
   %ptr_sb_u = OpTypePointer StorageBuffer %uint
  %ptr_in_v3 = OpTypePointer Input %v3uint
      %int_0 = OpConstant %int 0
     %uint_0 = OpConstant %uint 0
     %uint_1 = OpConstant %uint 1
 %uint_inner = OpConstant %uint 60000
     %mul_lc = OpConstant %uint 1664525
     %add_lc = OpConstant %uint 1013904223
       %data = OpVariable %ptr_buf StorageBuffer
        %gid = OpVariable %ptr_in_v3 Input
       %main = OpFunction %void None %fnvoid
      %entry = OpLabel
         %g3 = OpLoad %v3uint %gid
          %i = OpCompositeExtract %uint %g3 0
               OpBranch %ihead
      %ihead = OpLabel
         %ii = OpPhi %uint %uint_0 %entry %ii_next %ilatch
         %ix = OpPhi %uint %i %entry %ix_next %ilatch
      %icond = OpULessThan %bool %ii %uint_inner
               OpLoopMerge %iend %ilatch None
               OpBranchConditional %icond %ibody %iend
      %ibody = OpLabel
         %m1 = OpIMul %uint %ix %mul_lc
    %ix_next = OpIAdd %uint %m1 %add_lc
    %ii_next = OpIAdd %uint %ii %uint_1
               OpBranch %ilatch
     %ilatch = OpLabel
               OpBranch %ihead
       %iend = OpLabel
        %hit = OpIEqual %bool %ix %add_lc
               OpSelectionMerge %end None
               OpBranchConditional %hit %store %end
      %store = OpLabel
          %p = OpAccessChain %ptr_sb_u %data %int_0 %uint_0
               OpStore %p %ix
               OpBranch %end
        %end = OpLabel
               OpReturn
               OpFunctionEnd
"""


@functools.cache
def spin() -> bytes:
    """The spin kernel's SPIR-V (see SPIN)."""
    return runtime_spirv.assemble_text(SPIN)

