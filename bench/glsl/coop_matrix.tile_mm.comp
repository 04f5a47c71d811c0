#version 450
// fixtures/coop_matrix.spl: tile_mm (needs a glslang with GL_KHR_cooperative_matrix)
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_16bit_storage : require
layout(local_size_x = 32, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float16_t a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float16_t b[]; };
layout(std430, set = 0, binding = 2) buffer CBuf { float c[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int n = params.n;
    int tile = int(gl_WorkGroupID.x);
    int tiles = n / 16;
    int row = (tile / tiles) * 16;
    int col = (tile % tiles) * 16;
    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc =
        coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    for (int k = 0; k < n; k += 16) {
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> ma;
        coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> mb;
        coopMatLoad(ma, a, uint(row * n + k), uint(n), gl_CooperativeMatrixLayoutRowMajor);
        coopMatLoad(mb, b, uint(k * n + col), uint(n), gl_CooperativeMatrixLayoutRowMajor);
        acc = coopMatMulAdd(ma, mb, acc);
    }
    acc = acc * 2.0 - acc;
    coopMatStore(acc, c, uint(row * n + col), uint(n), gl_CooperativeMatrixLayoutRowMajor);
}
