/*
 * libflowkit_kernels.so: Flowkit's CPU kernels for TensorFlow. Loading it (TF_LoadLibrary, from graph/NativeKernels)
 * runs register_kernels, which finds TensorFlow's C kernel API in the process and registers every op; TensorFlow
 * collects the ops registered meanwhile. Nothing is registered on a CPU without AVX2 and FMA (the kernels are
 * compiled for them) or where a function is missing, and callers then keep TensorFlow's own ops.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "tf_kernel_api.h"

struct TfKernelApi tf;

#define FIND(field, name) if (!(tf.field = dlsym(lib, name))) return 0
static int find_functions(void) {
    void *lib = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib) lib = RTLD_DEFAULT;
    FIND(NewStatus, "TF_NewStatus"); FIND(DeleteStatus, "TF_DeleteStatus"); FIND(GetCode, "TF_GetCode");
    FIND(SetStatus, "TF_SetStatus"); FIND(TensorData, "TF_TensorData"); FIND(TensorElementCount, "TF_TensorElementCount");
    FIND(DeleteTensor, "TF_DeleteTensor"); FIND(NumDims, "TF_NumDims"); FIND(Dim, "TF_Dim"); FIND(GetInput, "TF_GetInput"); FIND(AllocateOutput, "TF_AllocateOutput");
    FIND(Failure, "TF_OpKernelContext_Failure"); FIND(GetAttrFloat, "TF_OpKernelConstruction_GetAttrFloat");
    FIND(GetAttrInt64, "TF_OpKernelConstruction_GetAttrInt64"); FIND(GetAttrBool, "TF_OpKernelConstruction_GetAttrBool");
    FIND(NewKernelBuilder, "TF_NewKernelBuilder");
    FIND(RegisterKernelBuilder, "TF_RegisterKernelBuilder"); FIND(NewOpDefinitionBuilder, "TF_NewOpDefinitionBuilder");
    FIND(AddInput, "TF_OpDefinitionBuilderAddInput"); FIND(AddOutput, "TF_OpDefinitionBuilderAddOutput");
    FIND(AddAttr, "TF_OpDefinitionBuilderAddAttr");
    FIND(SetShapeInferenceFunction, "TF_OpDefinitionBuilderSetShapeInferenceFunction");
    FIND(SetUnknownShape, "TF_ShapeInferenceContextSetUnknownShape");
    FIND(RegisterOpDefinition, "TF_RegisterOpDefinition");
    FIND(NewShapeHandle, "TF_NewShapeHandle"); FIND(DeleteShapeHandle, "TF_DeleteShapeHandle");
    FIND(GetInputShape, "TF_ShapeInferenceContextGetInput"); FIND(SetOutputShape, "TF_ShapeInferenceContextSetOutput");
    FIND(WithRank, "TF_ShapeInferenceContextWithRank"); FIND(Subshape, "TF_ShapeInferenceContextSubshape");
    FIND(ConcatenateShapes, "TF_ShapeInferenceContextConcatenateShapes");
    FIND(GetAttrSize, "TF_OpKernelConstruction_GetAttrSize");
    FIND(GetAttrInt64List, "TF_OpKernelConstruction_GetAttrInt64List");
    FIND(GetAttrFloatList, "TF_OpKernelConstruction_GetAttrFloatList");
    FIND(ConstructionFailure, "TF_OpKernelConstruction_Failure");
    FIND(NumInputs, "TF_NumInputs"); FIND(ShapeNumInputs, "TF_ShapeInferenceContextNumInputs");
    return 1;
}

void fail_kernel(TF_OpKernelContext *ctx, TF_Status *status, const char *message) {
    tf.SetStatus(status, TF_INVALID_ARGUMENT, message);
    tf.Failure(ctx, status);
}

void *constructed(TF_OpKernelConstruction *ctx, TF_Status *status, void *kernel, void (*destroy)(void *)) {
    if (tf.GetCode(status) != TF_OK) {
        tf.ConstructionFailure(ctx, status);
        destroy(kernel);
        kernel = NULL;
    }
    tf.DeleteStatus(status);
    return kernel;
}

int get_inputs(TF_OpKernelContext *ctx, TF_Status *status, TF_Tensor **in, int count) {
    for (int i = 0; i < count; i++) {
        tf.GetInput(ctx, i, &in[i], status);
        if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); return 0; }
    }
    return 1;
}

void copy_shape(TF_ShapeInferenceContext *ctx, int input, int output, TF_Status *status) {
    TF_ShapeHandle *shape = tf.NewShapeHandle();
    tf.GetInputShape(ctx, input, shape, status);
    if (tf.GetCode(status) == TF_OK) tf.SetOutputShape(ctx, output, shape, status);
    tf.DeleteShapeHandle(shape);
}

void shape_of_first_input(TF_ShapeInferenceContext *ctx, TF_Status *status) { copy_shape(ctx, 0, 0, status); }

void joined_shape(TF_ShapeInferenceContext *ctx, TF_Status *status, const ShapePart *first, const ShapePart *second) {
    const ShapePart *parts[2] = {first, second};
    TF_ShapeHandle *inputs[2] = {tf.NewShapeHandle(), tf.NewShapeHandle()}, *pieces[2] = {tf.NewShapeHandle(), tf.NewShapeHandle()},
                   *y = tf.NewShapeHandle();
    tf.SetUnknownShape(ctx, status);
    for (int i = 0; i < 2; i++) {
        if (tf.GetCode(status) == TF_OK) tf.GetInputShape(ctx, parts[i]->input, inputs[i], status);
        if (tf.GetCode(status) == TF_OK) tf.WithRank(ctx, inputs[i], parts[i]->rank, inputs[i], status);
        if (tf.GetCode(status) == TF_OK) tf.Subshape(ctx, inputs[i], parts[i]->start, parts[i]->end, pieces[i], status);
    }
    if (tf.GetCode(status) == TF_OK) tf.ConcatenateShapes(ctx, pieces[0], pieces[1], y, status);
    if (tf.GetCode(status) == TF_OK) tf.SetOutputShape(ctx, 0, y, status);
    TF_ShapeHandle *handles[] = {inputs[0], inputs[1], pieces[0], pieces[1], y};
    for (int i = 0; i < 5; i++) tf.DeleteShapeHandle(handles[i]);
}

TF_Tensor *allocate_like(TF_OpKernelContext *ctx, int index, TF_Tensor *like, TF_Status *status) {
    int64_t dims[8];
    int rank = tf.NumDims(like);
    for (int i = 0; i < rank && i < 8; i++) dims[i] = tf.Dim(like, i);
    return tf.AllocateOutput(ctx, index, TF_FLOAT, dims, rank, (size_t)tf.TensorElementCount(like) * sizeof(float), status);
}


static void register_op_kernel(const OpKernel *k, TF_Status *status) {
    TF_OpDefinitionBuilder *op = tf.NewOpDefinitionBuilder(k->name);
    for (int i = 0; k->inputs[i]; i++) tf.AddInput(op, k->inputs[i]);
    for (int i = 0; k->outputs[i]; i++) tf.AddOutput(op, k->outputs[i]);
    for (int i = 0; k->attrs[i]; i++) tf.AddAttr(op, k->attrs[i]);
    tf.SetShapeInferenceFunction(op, k->shape);
    tf.RegisterOpDefinition(op, status);
    if (tf.GetCode(status) != TF_OK) return;
    tf.RegisterKernelBuilder(k->name, tf.NewKernelBuilder(k->name, "CPU", k->create, k->compute, k->destroy), status);
}

__attribute__((constructor)) static void register_kernels(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !find_functions()) return;
    TF_Status *status = tf.NewStatus();
    register_op_kernel(&box_muller_normal, status);
    register_op_kernel(&banded_matmul, status);
    register_op_kernel(&group_norm, status);
    register_op_kernel(&group_norm_grad, status);
    register_op_kernel(&dense, status);
    register_op_kernel(&dense_grad, status);
    register_op_kernel(&silu_grad, status);
    register_op_kernel(&conv, status);
    tf.DeleteStatus(status);
}
