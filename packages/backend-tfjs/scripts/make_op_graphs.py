"""Builds small single-purpose ONNX graphs that pin down operator semantics the model fixtures don't reach:
attribute-vs-input forms across opsets (Squeeze/Unsqueeze/Split/Reduce*/Clip/Slice/Pad), broadcasting,
negative indices and steps, pooling padding modes, Einsum equations, Gelu (opset 20).

Run with Debian's onnx:  /usr/bin/python3 packages/backend-tfjs/scripts/make_op_graphs.py

Conventions read by the op-graph tests:
- every graph input is float32 with a static shape; the tests fill it with seeded random values drawn
  uniformly from the range in the input's doc_string ("range:lo,hi"; default -2,2);
- the graph's doc_string holds "grad" when every output is differentiable w.r.t. every input, and the tests
  then also check gradients against central finite differences.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "ops")
rng = np.random.default_rng(7)


def inp(name, shape, lo=-2.0, hi=2.0):
    value = helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    value.doc_string = f"range:{lo},{hi}"
    return value


def with_inferred_outputs(model):
    """Declares each graph output with the type and shape ONNX shape inference gives it."""
    inferred = onnx.shape_inference.infer_shapes(model)
    known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for output in model.graph.output:
        if output.name in known and known[output.name].type.tensor_type.elem_type:
            output.CopyFrom(known[output.name])
    return model


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def save(name, opset, nodes, inputs, outputs, initializers=(), grad=False):
    declared = [helper.make_empty_tensor_value_info(o) for o in outputs]
    graph = helper.make_graph(nodes, name, inputs, declared, list(initializers))
    graph.doc_string = "grad" if grad else ""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="attune")
    model.ir_version = 8
    # onnx 1.12 knows operator sets up to 17; newer graphs are checked by onnxruntime when the tests load them.
    if opset <= 17:
        model = with_inferred_outputs(model)
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, f"{name}.onnx"))
    print(f"wrote ops/{name}.onnx (opset {opset})")


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=f"{op}_{outputs[0]}", **attrs)


def unary_math():
    ops = ["Sqrt", "Exp", "Log", "Neg", "Abs", "Erf", "Tanh", "Sigmoid", "Relu", "Reciprocal", "Sin", "Cos",
           "Softplus", "Softsign"]
    nodes = [node(op, ["x"], [op.lower()]) for op in ops]
    nodes += [node("LeakyRelu", ["x"], ["leaky"], alpha=0.2), node("Elu", ["x"], ["elu"], alpha=0.7),
              node("HardSigmoid", ["x"], ["hard_sigmoid"], alpha=0.3, beta=0.4)]
    outs = [op.lower() for op in ops] + ["leaky", "elu", "hard_sigmoid"]
    save("unary_math", 13, nodes, [inp("x", [3, 5], 0.2, 2.0)], outs, grad=True)
    # Non-differentiable rounding ops, on inputs away from the rounding boundaries' ambiguity.
    rounding = [node(op, ["x"], [op.lower()]) for op in ["Floor", "Ceil", "Round", "Sign"]]
    save("unary_rounding", 13, rounding, [inp("x", [4, 6], -3.0, 3.0)], ["floor", "ceil", "round", "sign"])


def binary_broadcast():
    nodes = [node(op, ["a", "b"], [op.lower()]) for op in ["Add", "Sub", "Mul", "Div"]]
    nodes += [node("Pow", ["a", "b"], ["pow"]), node("Min", ["a", "b", "c"], ["min"]),
              node("Max", ["a", "b", "c"], ["max"]), node("Sum", ["a", "b", "c"], ["sum"]),
              node("Mean", ["a", "b", "c"], ["mean"]), node("Pow", ["a", "two"], ["square"]),
              node("Pow", ["a", "three"], ["cube"])]
    save("binary_broadcast", 13, nodes,
         [inp("a", [2, 3, 4], 0.5, 2.0), inp("b", [3, 1], 0.5, 2.0), inp("c", [4], -1.0, 3.0)],
         ["add", "sub", "mul", "div", "pow", "min", "max", "sum", "mean", "square", "cube"],
         [floats("two", 2.0), floats("three", [3.0])], grad=True)


def compare_logic():
    nodes = [
        node("Floor", ["a"], ["fa"]), node("Floor", ["b"], ["fb"]),
        node("Equal", ["fa", "fb"], ["eq"]), node("Less", ["a", "b"], ["lt"]),
        node("Greater", ["a", "b"], ["gt"]), node("LessOrEqual", ["fa", "fb"], ["le"]),
        node("GreaterOrEqual", ["fa", "fb"], ["ge"]), node("Not", ["lt"], ["not_lt"]),
        node("And", ["lt", "eq"], ["and"]), node("Or", ["gt", "eq"], ["or"]), node("Xor", ["lt", "le"], ["xor"]),
        node("Where", ["lt", "a", "b"], ["where"]),
        node("Cast", ["or"], ["or_float"], to=TensorProto.FLOAT),
        node("Cast", ["a"], ["a_int"], to=TensorProto.INT64),
        node("Cast", ["a"], ["a_bool"], to=TensorProto.BOOL),
        node("Mod", ["a_int", "three"], ["mod"]),
        node("Div", ["a_int", "three"], ["int_div"]),
        node("Mod", ["a", "b"], ["fmod"], fmod=1),
    ]
    save("compare_logic", 13, nodes, [inp("a", [3, 4], -4.0, 4.0), inp("b", [4], -4.0, 4.0)],
         ["eq", "lt", "gt", "le", "ge", "not_lt", "and", "or", "xor", "where", "or_float", "a_int", "a_bool",
          "mod", "int_div", "fmod"], [ints("three", [3])])


def reduce_opset13():
    nodes = [
        node("ReduceMean", ["x"], ["mean"], axes=[1], keepdims=1),
        node("ReduceMax", ["x"], ["max"], axes=[-1], keepdims=0),
        node("ReduceMin", ["x"], ["min"], axes=[0, 2]),
        node("ReduceProd", ["x"], ["prod"], axes=[2], keepdims=0),
        node("ReduceL2", ["x"], ["l2"], axes=[-1], keepdims=1),
        node("ReduceL1", ["x"], ["l1"], axes=[1]),
        node("ReduceSumSquare", ["x"], ["sum_square"], axes=[0]),
        node("ReduceLogSumExp", ["x"], ["log_sum_exp"], axes=[2]),
        node("ReduceMean", ["x"], ["mean_all"], keepdims=0),
        node("ReduceSum", ["x", "axes"], ["sum"], keepdims=0),
        node("ReduceSum", ["x"], ["sum_all"]),
        node("ReduceSum", ["x", "no_axes"], ["sum_noop"], noop_with_empty_axes=1),
    ]
    save("reduce_opset13", 13, nodes, [inp("x", [2, 3, 4], 0.5, 1.5)],
         ["mean", "max", "min", "prod", "l2", "l1", "sum_square", "log_sum_exp", "mean_all", "sum", "sum_all",
          "sum_noop"], [ints("axes", [0, -1]), ints("no_axes", [])], grad=True)


def reduce_opset18():
    ops = ["ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceSum", "ReduceLogSumExp"]
    nodes = [node(op, ["x", "axes"], [op.lower()], keepdims=0) for op in ops]
    nodes.append(node("ReduceMean", ["x"], ["mean_all"]))
    save("reduce_opset18", 18, nodes, [inp("x", [2, 3, 4], 0.5, 1.5)], [op.lower() for op in ops] + ["mean_all"],
         [ints("axes", [1])], grad=True)


def softmax_variants():
    # Before opset 13 Softmax flattens to 2-D at `axis`; from 13 it normalises along the one axis.
    old = [node("Softmax", ["x"], ["softmax"], axis=1), node("LogSoftmax", ["x"], ["log_softmax"], axis=1),
           node("Softmax", ["x"], ["softmax_default"])]
    save("softmax_opset11", 11, old, [inp("x", [2, 3, 4])], ["softmax", "log_softmax", "softmax_default"],
         grad=True)
    new = [node("Softmax", ["x"], ["softmax"], axis=1), node("LogSoftmax", ["x"], ["log_softmax"], axis=0),
           node("Softmax", ["x"], ["softmax_default"])]
    save("softmax_opset13", 13, new, [inp("x", [2, 3, 4])], ["softmax", "log_softmax", "softmax_default"],
         grad=True)


def shape_ops_opset9():
    nodes = [
        node("Unsqueeze", ["x"], ["unsq"], axes=[0, 3]),
        node("Squeeze", ["unsq"], ["sq"], axes=[0]),
        node("Clip", ["x"], ["clip"], min=-0.5, max=0.75),
        node("Slice", ["x"], ["slice"], starts=[1, -3], ends=[1000, -1], axes=[0, 1]),
        node("Split", ["x"], ["split_a", "split_b"], axis=1, split=[1, 3]),
        node("ReduceSum", ["x"], ["sum"], axes=[1], keepdims=0),
        node("Pad", ["x"], ["pad"], pads=[0, 1, 2, 0], mode="constant", value=1.5),
        node("Dropout", ["x"], ["dropout"]),
        node("Flatten", ["unsq"], ["flat"]),
    ]
    save("shape_ops_opset9", 9, nodes, [inp("x", [3, 4])],
         ["sq", "clip", "slice", "split_a", "split_b", "sum", "pad", "dropout", "flat"], grad=True)


def shape_ops_opset11():
    nodes = [
        node("Unsqueeze", ["x"], ["unsq"], axes=[-1]),
        node("Squeeze", ["unsq"], ["sq"], axes=[3]),
        node("Split", ["x"], ["s0", "s1", "s2"], axis=2, split=[1, 2, 1]),
        node("Clip", ["x", "lo", "hi"], ["clip"]),
        node("Clip", ["x", "", "hi"], ["clip_max_only"]),
        node("Pad", ["x", "pads"], ["pad_reflect"], mode="reflect"),
        node("Pad", ["x", "pads"], ["pad_edge"], mode="edge"),
        node("Pad", ["x", "pads", "pad_value"], ["pad_constant"], mode="constant"),
        node("Pad", ["x", "crop_pads"], ["pad_negative"]),
        node("Slice", ["x", "starts", "ends", "axes", "steps"], ["slice_steps"]),
        node("Slice", ["x", "rev_starts", "rev_ends", "rev_axes", "rev_steps"], ["slice_reverse"]),
    ]
    save("shape_ops_opset11", 11, nodes, [inp("x", [2, 3, 4])],
         ["sq", "s0", "s1", "s2", "clip", "clip_max_only", "pad_reflect", "pad_edge", "pad_constant",
          "pad_negative", "slice_steps", "slice_reverse"],
         [floats("lo", -0.5), floats("hi", 0.8), ints("pads", [0, 1, 2, 0, 1, 1]), floats("pad_value", -3.0),
          ints("crop_pads", [0, -1, 1, 0, 0, -1]), ints("starts", [0, 3]), ints("ends", [9223372036854775807, 0]),
          ints("axes", [1, 2]), ints("steps", [2, -2]), ints("rev_starts", [-1]), ints("rev_ends", [-1000]),
          ints("rev_axes", [0]), ints("rev_steps", [-1])], grad=True)


def shape_ops_opset15():
    nodes = [
        node("Unsqueeze", ["x", "unsq_axes"], ["unsq"]),
        node("Squeeze", ["unsq", "sq_axes"], ["sq"]),
        node("Squeeze", ["unsq"], ["sq_all"]),
        node("Split", ["x", "split_sizes"], ["s0", "s1"], axis=-1),
        node("Split", ["x"], ["e0", "e1"], axis=2),
        node("Gather", ["x", "gather_idx"], ["gather"], axis=1),
        node("Gather", ["x", "scalar_idx"], ["gather_scalar"], axis=2),
        node("GatherElements", ["x", "ge_idx"], ["gather_elements"], axis=2),
        node("Expand", ["row", "expand_shape"], ["expand"]),
        node("Tile", ["x", "repeats"], ["tile"]),
        node("Transpose", ["x"], ["transpose"], perm=[2, 0, 1]),
        node("Transpose", ["x"], ["transpose_default"]),
        node("Flatten", ["x"], ["flatten2"], axis=2),
        node("Flatten", ["x"], ["flatten0"], axis=0),
        node("Reshape", ["x", "reshape_to"], ["reshape"]),
        node("Concat", ["x", "x2"], ["concat"], axis=-2),
        node("Identity", ["x"], ["identity"]),
        node("Trilu", ["x"], ["triu"]),
        node("Trilu", ["x", "k_neg"], ["tril_k"], upper=0),
        node("CumSum", ["x", "axis1"], ["cumsum"]),
        node("CumSum", ["x", "axis1"], ["cumsum_excl_rev"], exclusive=1, reverse=1),
        node("ArgMax", ["x"], ["argmax"], axis=2, keepdims=0),
        node("ArgMax", ["x"], ["argmax_last"], axis=1, select_last_index=1),
        node("ArgMin", ["x"], ["argmin"], axis=-1),
        node("Shape", ["x"], ["shape"]),
        node("Shape", ["x"], ["shape_tail"], start=1),
        node("Size", ["x"], ["size"]),
        node("ConstantOfShape", ["shape"], ["zeros"]),
        node("ConstantOfShape", ["shape_tail"], ["fives"], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [5.0])),
        node("Gather", ["shape", "last"], ["last_dim"]),
        node("Range", ["zero", "last_dim", "one"], ["range"]),
        node("Cast", ["range"], ["range_float"], to=TensorProto.FLOAT),
        node("Add", ["x", "range_float"], ["plus_range"]),
        node("Clip", ["x", "", "hi"], ["clip"]),
        node("Dropout", ["x"], ["dropout", "dropout_mask"]),
    ]
    outs = ["sq", "sq_all", "s0", "s1", "e0", "e1", "gather", "gather_scalar", "gather_elements", "expand", "tile",
            "transpose", "transpose_default", "flatten2", "flatten0", "reshape", "concat", "identity", "triu",
            "tril_k", "cumsum", "cumsum_excl_rev", "argmax", "argmax_last", "argmin", "shape", "shape_tail",
            "size", "zeros", "fives", "range", "plus_range", "clip", "dropout", "dropout_mask"]
    ge_idx = rng.integers(0, 4, size=(2, 3, 2))
    save("shape_ops_opset15", 15, nodes, [inp("x", [2, 3, 4]), inp("x2", [2, 2, 4]), inp("row", [3, 1])], outs,
         [ints("unsq_axes", [0, -1]), ints("sq_axes", [0]), ints("split_sizes", [1, 3]), ints("gather_idx", [[2, -1], [0, 0]]),
          ints("scalar_idx", -2), ints("ge_idx", ge_idx), ints("expand_shape", [2, 1, 5]), ints("repeats", [1, 2, 3]),
          ints("reshape_to", [0, -1, 2]), ints("k_neg", -1), ints("axis1", 1), ints("last", 2), ints("zero", 0),
          ints("one", 1), floats("hi", 0.5)])


def einsum():
    equations = {"batch_matmul": ("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]),
                 "attention": ("bhqd,bhkd->bhqk", [[2, 2, 3, 4], [2, 2, 5, 4]]),
                 "transpose": ("ij->ji", [[3, 4]]),
                 "dot": ("i,i", [[5], [5]]),
                 "sum_axis": ("bij->bj", [[2, 3, 4]]),
                 "outer": ("i,j->ij", [[3], [4]]),
                 "chain": ("ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]]),
                 "ellipsis": ("...ij,...jk->...ik", [[2, 3, 4], [2, 4, 2]]),
                 "bilinear": ("bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]])}
    inputs, nodes, outs = [], [], []
    for name, (equation, shapes) in equations.items():
        names = [f"{name}_{i}" for i in range(len(shapes))]
        inputs += [inp(n, s) for n, s in zip(names, shapes)]
        nodes.append(node("Einsum", names, [name], equation=equation))
        outs.append(name)
    save("einsum", 12, nodes, inputs, outs, grad=True)


def conv_pool():
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32) * 0.3
    w1d = rng.normal(size=(2, 3, 3)).astype(np.float32) * 0.3
    nodes = [
        node("Conv", ["x", "w"], ["conv_same"], auto_pad="SAME_UPPER", strides=[2, 2]),
        node("Conv", ["x", "w"], ["conv_asym"], pads=[0, 1, 2, 0], strides=[1, 2]),
        node("Conv", ["seq", "w1d", "b1d"], ["conv1d"], pads=[1, 1], dilations=[2]),
        node("MaxPool", ["x"], ["max_ceil"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        node("MaxPool", ["x"], ["max_pad"], kernel_shape=[2, 3], pads=[1, 1, 0, 1]),
        node("AveragePool", ["x"], ["avg_incl"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1),
        node("AveragePool", ["x"], ["avg_excl"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        node("AveragePool", ["x"], ["avg_same"], kernel_shape=[2, 2], auto_pad="SAME_LOWER"),
        node("GlobalMaxPool", ["x"], ["global_max"]),
        node("GlobalAveragePool", ["x"], ["global_avg"]),
        node("InstanceNormalization", ["x", "scale", "bias"], ["instance_norm"], epsilon=1e-5),
    ]
    save("conv_pool", 13, nodes, [inp("x", [2, 3, 7, 8]), inp("seq", [2, 3, 9])],
         ["conv_same", "conv_asym", "conv1d", "max_ceil", "max_pad", "avg_incl", "avg_excl", "avg_same",
          "global_max", "global_avg", "instance_norm"],
         [numpy_helper.from_array(w, "w"), numpy_helper.from_array(w1d, "w1d"), floats("b1d", [0.1, -0.2]),
          floats("scale", [1.0, 0.5, 2.0]), floats("bias", [0.0, 0.1, -0.1])], grad=True)


def conv_transpose():
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32) * 0.3
    w_grouped = rng.normal(size=(4, 1, 2, 2)).astype(np.float32) * 0.3
    w1d = rng.normal(size=(4, 2, 3)).astype(np.float32) * 0.3
    nodes = [
        node("ConvTranspose", ["x", "w", "b"], ["upsample"], strides=[2, 2], pads=[1, 1, 1, 1],
             output_padding=[1, 1]),
        node("ConvTranspose", ["x", "w"], ["dilated"], dilations=[2, 1], pads=[0, 1, 1, 0]),
        node("ConvTranspose", ["x", "w_grouped"], ["grouped"], group=2, strides=[2, 3]),
        node("ConvTranspose", ["x", "w"], ["output_shape"], strides=[2, 2], output_shape=[10, 11]),
        node("ConvTranspose", ["x", "w"], ["same_upper"], strides=[2, 2], auto_pad="SAME_UPPER"),
        node("ConvTranspose", ["x", "w"], ["same_lower"], strides=[2, 2], auto_pad="SAME_LOWER"),
        node("ConvTranspose", ["seq", "w1d"], ["conv1d"], strides=[3]),
    ]
    save("conv_transpose", 13, nodes, [inp("x", [2, 4, 5, 6]), inp("seq", [2, 4, 7])],
         ["upsample", "dilated", "grouped", "output_shape", "same_upper", "same_lower", "conv1d"],
         [numpy_helper.from_array(w, "w"), floats("b", [0.1, -0.2, 0.3]),
          numpy_helper.from_array(w_grouped, "w_grouped"), numpy_helper.from_array(w1d, "w1d")], grad=True)


def linear_algebra():
    nodes = [
        node("Gemm", ["a", "b", "c"], ["gemm"], alpha=0.5, beta=2.0, transB=1),
        node("Gemm", ["at", "b"], ["gemm_ta"], transA=1, transB=1),
        node("MatMul", ["v", "m"], ["vec_mat"]),
        node("MatMul", ["m2", "v2"], ["mat_vec"]),
        node("MatMul", ["batched", "shared"], ["broadcast_batch"]),
        node("LayerNormalization", ["batched", "ln_scale", "ln_bias"], ["layer_norm"], axis=-1, epsilon=1e-5),
        node("LayerNormalization", ["batched", "ln_scale2"], ["layer_norm2", "ln_mean", "ln_inv_std"], axis=-2),
        node("BatchNormalization", ["img", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["batch_norm"],
             epsilon=1e-3),
    ]
    save("linear_algebra", 17, nodes,
         [inp("a", [3, 4]), inp("b", [5, 4]), inp("c", [5]), inp("at", [4, 3]), inp("v", [4]), inp("m", [4, 3]),
          inp("m2", [3, 4]), inp("v2", [4]), inp("batched", [2, 1, 3, 4]), inp("shared", [5, 4, 2]),
          inp("img", [2, 3, 2, 2])],
         ["gemm", "gemm_ta", "vec_mat", "mat_vec", "broadcast_batch", "layer_norm", "layer_norm2", "ln_mean",
          "ln_inv_std", "batch_norm"],
         [floats("ln_scale", [1.0, 0.5, 2.0, -1.0]), floats("ln_bias", [0.1, 0.2, 0.3, 0.4]),
          floats("ln_scale2", np.full((3, 4), 0.7)), floats("bn_scale", [1.0, 2.0, 0.5]),
          floats("bn_bias", [0.0, 1.0, -1.0]), floats("bn_mean", [0.1, -0.2, 0.3]),
          floats("bn_var", [1.0, 0.5, 2.0])], grad=True)


def opset18():
    nodes = [
        node("Split", ["x"], ["s0", "s1", "s2"], axis=1, num_outputs=3),
        node("Pad", ["x", "pads", "", "pad_axes"], ["pad_axes_out"]),
        node("ReduceSumSquare", ["x", "axes"], ["sum_square"]),
        node("ReduceL1", ["x", "axes"], ["l1"], keepdims=0),
    ]
    save("opset18", 18, nodes, [inp("x", [2, 5, 3])], ["s0", "s1", "s2", "pad_axes_out", "sum_square", "l1"],
         [ints("pads", [1, 2]), ints("pad_axes", [-1]), ints("axes", [0, 2])], grad=True)


def gelu_opset20():
    nodes = [node("Gelu", ["x"], ["gelu"]), node("Gelu", ["x"], ["gelu_tanh"], approximate="tanh")]
    save("gelu_opset20", 20, nodes, [inp("x", [3, 7], -4.0, 4.0)], ["gelu", "gelu_tanh"], grad=True)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    unary_math()
    binary_broadcast()
    compare_logic()
    reduce_opset13()
    reduce_opset18()
    softmax_variants()
    shape_ops_opset9()
    shape_ops_opset11()
    shape_ops_opset15()
    einsum()
    conv_pool()
    conv_transpose()
    linear_algebra()
    opset18()
    gelu_opset20()
