#version 450
// fixtures/coop_matrix.spl: shared_tiles (needs a glslang with GL_KHR_cooperative_matrix)
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_16bit_storage : require
layout(local_size_x = 32, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float16_t a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float16_t b[]; };
layout(std430, set = 0, binding = 2) buffer CBuf { float16_t c[]; };
layout(std430, set = 0, binding = 3) buffer LengthsBuf { int lengths[]; };

shared float16_t sa[512];
shared float16_t sb[512];

void main() {
    uint lane = gl_LocalInvocationID.x;
    for (uint i = 0; i < 16; i++) {
        sa[i * 32 + lane] = a[i * 32 + lane];
        sb[i * 32 + lane] = b[i * 32 + lane];
    }
    barrier();
    coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc =
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(float16_t(0.0));
    for (uint k = 0; k < 2; k++) {
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> ma;
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> mb;
        coopMatLoad(ma, sa, k * 16u, 32u, gl_CooperativeMatrixLayoutRowMajor);
        coopMatLoad(mb, sb, k * 16u, 32u, gl_CooperativeMatrixLayoutColumnMajor);
        acc = coopMatMulAdd(ma, mb, acc);
    }
    coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> ones =
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(float16_t(1.0));
    acc = (acc + ones) / (ones + ones);
    coopMatStore(acc, c, 0u, 16u, gl_CooperativeMatrixLayoutColumnMajor);
    lengths[lane] = acc.length();
}
