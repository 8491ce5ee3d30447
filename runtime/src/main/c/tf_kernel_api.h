/*
 * The part of TensorFlow's C kernel API (tensorflow/c/kernels.h, ops.h) that Flowkit's kernels use, as a table of
 * functions looked up in the already loaded libtensorflow_framework.so.2 (kernels.c): no headers or link-time
 * dependency on TensorFlow, and a library that registers nothing where a function is missing.
 */
#ifndef FLOWKIT_TF_KERNEL_API_H
#define FLOWKIT_TF_KERNEL_API_H

#include <stddef.h>
#include <stdint.h>

typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;

enum { TF_OK = 0, TF_INVALID_ARGUMENT = 3, TF_FLOAT = 1 };

extern struct TfKernelApi {
    TF_Status *(*NewStatus)(void);
    void (*DeleteStatus)(TF_Status *);
    int (*GetCode)(const TF_Status *);
    void (*SetStatus)(TF_Status *, int, const char *);
    void *(*TensorData)(const TF_Tensor *);
    int64_t (*TensorElementCount)(const TF_Tensor *);
    void (*DeleteTensor)(TF_Tensor *);
    int (*NumDims)(const TF_Tensor *);
    int64_t (*Dim)(const TF_Tensor *, int);
    void (*GetInput)(TF_OpKernelContext *, int, TF_Tensor **, TF_Status *);
    TF_Tensor *(*AllocateOutput)(TF_OpKernelContext *, int, int, const int64_t *, int, size_t, TF_Status *);
    void (*Failure)(TF_OpKernelContext *, TF_Status *);
    void (*GetAttrFloat)(TF_OpKernelConstruction *, const char *, float *, TF_Status *);
    void (*GetAttrInt64)(TF_OpKernelConstruction *, const char *, int64_t *, TF_Status *);
    void (*GetAttrBool)(TF_OpKernelConstruction *, const char *, unsigned char *, TF_Status *);
    TF_KernelBuilder *(*NewKernelBuilder)(const char *, const char *, void *(*)(TF_OpKernelConstruction *),
                                          void (*)(void *, TF_OpKernelContext *), void (*)(void *));
    void (*RegisterKernelBuilder)(const char *, TF_KernelBuilder *, TF_Status *);
    TF_OpDefinitionBuilder *(*NewOpDefinitionBuilder)(const char *);
    void (*AddInput)(TF_OpDefinitionBuilder *, const char *);
    void (*AddOutput)(TF_OpDefinitionBuilder *, const char *);
    void (*AddAttr)(TF_OpDefinitionBuilder *, const char *);
    void (*SetShapeInferenceFunction)(TF_OpDefinitionBuilder *, void (*)(TF_ShapeInferenceContext *, TF_Status *));
    void (*SetUnknownShape)(TF_ShapeInferenceContext *, TF_Status *);
    TF_ShapeHandle *(*NewShapeHandle)(void);
    void (*DeleteShapeHandle)(TF_ShapeHandle *);
    void (*GetInputShape)(TF_ShapeInferenceContext *, int, TF_ShapeHandle *, TF_Status *);
    void (*SetOutputShape)(TF_ShapeInferenceContext *, int, TF_ShapeHandle *, TF_Status *);
    void (*WithRank)(TF_ShapeInferenceContext *, TF_ShapeHandle *, int64_t, TF_ShapeHandle *, TF_Status *);
    void (*Subshape)(TF_ShapeInferenceContext *, TF_ShapeHandle *, int64_t, int64_t, TF_ShapeHandle *, TF_Status *);
    void (*ConcatenateShapes)(TF_ShapeInferenceContext *, TF_ShapeHandle *, TF_ShapeHandle *, TF_ShapeHandle *, TF_Status *);
    void (*GetAttrSize)(TF_OpKernelConstruction *, const char *, int32_t *, int32_t *, TF_Status *);
    void (*GetAttrInt64List)(TF_OpKernelConstruction *, const char *, int64_t *, int, TF_Status *);
    void (*GetAttrFloatList)(TF_OpKernelConstruction *, const char *, float *, int, TF_Status *);
    void (*ConstructionFailure)(TF_OpKernelConstruction *, TF_Status *);
    void (*RegisterOpDefinition)(TF_OpDefinitionBuilder *, TF_Status *);
    int (*NumInputs)(TF_OpKernelContext *);
    int64_t (*ShapeNumInputs)(TF_ShapeInferenceContext *);
} tf;


/* An op and its CPU kernel: specs as TensorFlow's op registration writes them ("x: float"), lists ended by NULL. */
typedef struct {
    const char *name;
    const char *inputs[8], *outputs[8], *attrs[8];
    void (*shape)(TF_ShapeInferenceContext *, TF_Status *);
    void *(*create)(TF_OpKernelConstruction *);
    void (*compute)(void *, TF_OpKernelContext *);
    void (*destroy)(void *);
} OpKernel;

/* Each kernel file defines one. */
extern const OpKernel box_muller_normal, banded_matmul, group_norm, group_norm_grad, dense, dense_grad, silu_grad, conv;

/* The end of a kernel's construction: the kernel, or NULL (destroyed, construction failed) if status holds an error; status deleted. */
void *constructed(TF_OpKernelConstruction *ctx, TF_Status *status, void *kernel, void (*destroy)(void *));

/* Fetches inputs 0 .. count - 1 into in; 0 (and the kernel failed) if one is missing. */
int get_inputs(TF_OpKernelContext *ctx, TF_Status *status, TF_Tensor **in, int count);

/* A shape function: the (first) output has the first input's shape. */
void shape_of_first_input(TF_ShapeInferenceContext *ctx, TF_Status *status);

/* Dimensions [start, end) of input [input], which has rank [rank]. */
typedef struct {
    int input;
    int64_t rank, start, end;
} ShapePart;

/* A shape function's body: output 0 has the dimensions of [first] followed by those of [second]. */
void joined_shape(TF_ShapeInferenceContext *ctx, TF_Status *status, const ShapePart *first, const ShapePart *second);

/* Sets output [output] to the shape of input [input]. */
void copy_shape(TF_ShapeInferenceContext *ctx, int input, int output, TF_Status *status);

/* Allocates float output [index] in the shape of [like] (rank up to 8). */
TF_Tensor *allocate_like(TF_OpKernelContext *ctx, int index, TF_Tensor *like, TF_Status *status);

/* Fails the kernel's computation with an invalid-argument message. */
void fail_kernel(TF_OpKernelContext *ctx, TF_Status *status, const char *message);

#endif
