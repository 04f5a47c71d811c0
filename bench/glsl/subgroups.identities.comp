#version 450
// fixtures/subgroups.spl: identities
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_shuffle_relative : require
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { int x[]; };
layout(std430, set = 0, binding = 1) buffer OkBuf { int ok[]; };

// shuffles from outside the subgroup keep the lane's own value, as the Simple lowering
int shuffle_up(int v, uint d) {
    int moved = subgroupShuffleUp(v, d);
    return gl_SubgroupInvocationID - d < gl_SubgroupSize ? moved : v;
}
int shuffle_down(int v, uint d) {
    int moved = subgroupShuffleDown(v, d);
    uint src = gl_SubgroupInvocationID + d;
    return src < gl_SubgroupSize && src >= gl_SubgroupInvocationID ? moved : v;
}

void main() {
    uint i = gl_GlobalInvocationID.x;
    int v = x[i];
    int butterfly = v;
    for (uint m = 1; m < gl_SubgroupSize; m *= 2) {
        int moved = subgroupShuffleXor(butterfly, m);
        butterfly += (gl_SubgroupInvocationID ^ m) < gl_SubgroupSize ? moved : butterfly;
    }
    bool good = butterfly == subgroupAdd(v);
    good = good && subgroupExclusiveAdd(v) + v == subgroupInclusiveAdd(v);
    good = good && subgroupMax(v) >= v && subgroupMin(v) <= v;
    good = good && subgroupAll(v > -1000) && !subgroupAny(v == 12345);
    good = good && subgroupBroadcast(v, 0) == subgroupShuffle(v, 0);
    bool last = gl_SubgroupInvocationID == gl_SubgroupSize - 1;
    good = good && (shuffle_down(shuffle_up(v, 1), 1) == v || last);
    uvec4 votes = subgroupBallot(v > 0);
    int count = int(bitCount(votes.x) + bitCount(votes.y));
    ok[i] = good && count == subgroupAdd(v > 0 ? 1 : 0) ? 1 : 0;
    if (v > 0) {
        ok[i] = subgroupBroadcastFirst(v) > 0 ? 1 : 0;
    }
}
