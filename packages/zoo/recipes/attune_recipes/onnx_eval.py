"""Evaluate the zoo's ONNX graphs with torch ops, in Python, without onnxruntime.

Debian ships no onnxruntime for Python, and onnx 1.12 has no reference evaluator, so this small
interpreter covers the op set the zoo exports use. It serves two purposes: checking an exported file
numerically against the torch module it came from (the check runs on the bytes that get committed), and
letting one recipe use another model's committed graphs (the diffusion recipe conditions on mini-CLIP's
vision_model.onnx and scores variations with its text_model.onnx).
"""

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

ONNX_TO_TORCH_DTYPE = {
    onnx.TensorProto.FLOAT: torch.float32,
    onnx.TensorProto.DOUBLE: torch.float64,
    onnx.TensorProto.INT64: torch.int64,
    onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.BOOL: torch.bool,
    onnx.TensorProto.UINT8: torch.uint8,
}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _tensor(array):
    return torch.from_numpy(np.array(array, copy=True))


def _axis(axis, rank):
    return axis + rank if axis < 0 else axis


def _div(a, b):
    if a.dtype.is_floating_point or b.dtype.is_floating_point:
        return a / b
    return torch.div(a, b, rounding_mode="trunc")


def _gather(data, indices, axis):
    axis = _axis(axis, data.dim())
    idx = indices.long() % data.shape[axis]
    out = data.index_select(axis, idx.reshape(-1))
    return out.reshape(data.shape[:axis] + idx.shape + data.shape[axis + 1 :])


def _reshape(data, shape, allowzero):
    dims = [int(d) for d in shape]
    if not allowzero:
        dims = [data.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return data.reshape(dims)


def _slice(data, starts, ends, axes=None, steps=None):
    index = [slice(None)] * data.dim()
    axes = list(range(len(starts))) if axes is None else [_axis(int(a), data.dim()) for a in axes]
    steps = [1] * len(starts) if steps is None else [int(s) for s in steps]
    for s, e, a, st in zip(starts, ends, axes, steps):
        if st <= 0:
            raise NotImplementedError("Slice with non-positive steps")
        size = data.shape[a]
        s, e = int(s), int(e)
        s = max(0, min(size, s + size if s < 0 else s))
        e = max(0, min(size, e + size if e < 0 else e))
        index[a] = slice(s, e, st)
    return data[tuple(index)]


def _conv(x, w, b, at):
    pads = at.get("pads", [0, 0, 0, 0])
    half = len(pads) // 2
    if list(pads[:half]) != list(pads[half:]):
        # ONNX pads are [begin..., end...]; F.pad wants the last dim first.
        x = F.pad(x, [p for i in reversed(range(half)) for p in (pads[i], pads[i + half])])
        pads = [0] * len(pads)
    return F.conv2d(x, w, b, stride=at.get("strides", 1), padding=list(pads[:half]),
                    dilation=at.get("dilations", 1), groups=at.get("group", 1))


def _conv_transpose(x, w, b, at):
    pads = at.get("pads", [0, 0, 0, 0])
    half = len(pads) // 2
    if list(pads[:half]) != list(pads[half:]):
        raise NotImplementedError("ConvTranspose with asymmetric pads")
    return F.conv_transpose2d(x, w, b, stride=at.get("strides", 1), padding=list(pads[:half]),
                              output_padding=at.get("output_padding", 0), groups=at.get("group", 1),
                              dilation=at.get("dilations", 1))


def _layer_norm(x, scale, bias, at):
    axis = _axis(at.get("axis", -1), x.dim())
    return F.layer_norm(x, x.shape[axis:], scale, bias, at.get("epsilon", 1e-5))


def _gemm(a, b, c, at):
    if at.get("transA", 0):
        a = a.t()
    if at.get("transB", 0):
        b = b.t()
    y = at.get("alpha", 1.0) * (a @ b)
    return y if c is None else y + at.get("beta", 1.0) * c


def _argmax(x, at):
    axis = _axis(at.get("axis", 0), x.dim())
    if at.get("select_last_index", 0):
        x = x.flip(axis)
        out = x.shape[axis] - 1 - x.argmax(axis, keepdim=True)
    else:
        out = x.argmax(axis, keepdim=True)  # torch returns the first maximal index, as ONNX does by default
    return out if at.get("keepdims", 1) else out.squeeze(axis)


def _reduce(fn, x, axes_input, at):
    axes = at.get("axes", None)
    if axes is None and axes_input is not None:
        axes = [int(a) for a in axes_input]
    keep = bool(at.get("keepdims", 1))
    dims = list(range(x.dim())) if not axes else [_axis(a, x.dim()) for a in axes]
    return fn(x, dim=dims, keepdim=keep)


def _constant(at):
    if "value" in at:
        return _tensor(numpy_helper.to_array(at["value"]))
    for key, dtype in (("value_float", torch.float32), ("value_int", torch.int64)):
        if key in at:
            return torch.tensor(at[key], dtype=dtype)
    for key, dtype in (("value_floats", torch.float32), ("value_ints", torch.int64)):
        if key in at:
            return torch.tensor(list(at[key]), dtype=dtype)
    raise NotImplementedError(f"Constant with attributes {sorted(at)}")


OPS = {
    "Add": lambda i, a: i[0] + i[1],
    "Sub": lambda i, a: i[0] - i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Div": lambda i, a: _div(i[0], i[1]),
    "Pow": lambda i, a: torch.pow(i[0], i[1]),
    "Neg": lambda i, a: -i[0],
    "Sqrt": lambda i, a: torch.sqrt(i[0]),
    "Exp": lambda i, a: torch.exp(i[0]),
    "Erf": lambda i, a: torch.erf(i[0]),
    "Sin": lambda i, a: torch.sin(i[0]),
    "Cos": lambda i, a: torch.cos(i[0]),
    "Tanh": lambda i, a: torch.tanh(i[0]),
    "Relu": lambda i, a: torch.relu(i[0]),
    "Sigmoid": lambda i, a: torch.sigmoid(i[0]),
    "Equal": lambda i, a: i[0] == i[1],
    "Where": lambda i, a: torch.where(i[0], i[1], i[2]),
    "Identity": lambda i, a: i[0],
    "MatMul": lambda i, a: torch.matmul(i[0], i[1]),
    "Gemm": lambda i, a: _gemm(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "Conv": lambda i, a: _conv(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "ConvTranspose": lambda i, a: _conv_transpose(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "Cast": lambda i, a: i[0].to(ONNX_TO_TORCH_DTYPE[a["to"]]),
    "Constant": lambda i, a: _constant(a),
    "ConstantOfShape": lambda i, a: torch.full(
        [int(d) for d in i[0]], 0.0 if "value" not in a else float(numpy_helper.to_array(a["value"]).reshape(-1)[0])
    ),
    "Shape": lambda i, a: torch.tensor(list(i[0].shape), dtype=torch.int64)[a.get("start", 0) : a.get("end", None)],
    "Gather": lambda i, a: _gather(i[0], i[1], a.get("axis", 0)),
    "Unsqueeze": lambda i, a: _unsqueeze(i[0], [int(x) for x in (i[1] if len(i) > 1 else a["axes"])]),
    "Squeeze": lambda i, a: _squeeze(i[0], None if len(i) < 2 and "axes" not in a else [int(x) for x in (i[1] if len(i) > 1 else a["axes"])]),
    "Concat": lambda i, a: torch.cat(i, dim=a["axis"]),
    "Reshape": lambda i, a: _reshape(i[0], i[1], a.get("allowzero", 0)),
    "Flatten": lambda i, a: i[0].reshape(int(np.prod(i[0].shape[: a.get("axis", 1)])), -1),
    "Expand": lambda i, a: i[0] * torch.ones([int(d) for d in i[1]], dtype=i[0].dtype),
    "Transpose": lambda i, a: i[0].permute(*a.get("perm", list(reversed(range(i[0].dim()))))),
    "Slice": lambda i, a: _slice(i[0], i[1], i[2], i[3] if len(i) > 3 else None, i[4] if len(i) > 4 else None),
    "Softmax": lambda i, a: torch.softmax(i[0], dim=a.get("axis", -1)),
    "LayerNormalization": lambda i, a: _layer_norm(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "ReduceMean": lambda i, a: _reduce(torch.mean, i[0], i[1] if len(i) > 1 else None, a),
    "ReduceSum": lambda i, a: _reduce(torch.sum, i[0], i[1] if len(i) > 1 else None, a),
    "ArgMax": lambda i, a: _argmax(i[0], a),
    "BatchNormalization": lambda i, a: F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5)),
}


def _unsqueeze(x, axes):
    rank = x.dim() + len(axes)
    for a in sorted(_axis(a, rank) for a in axes):
        x = x.unsqueeze(a)
    return x


def _squeeze(x, axes):
    if axes is None:
        return x.squeeze()
    for a in sorted((_axis(a, x.dim()) for a in axes), reverse=True):
        x = x.squeeze(a)
    return x


class OnnxGraph:
    """A loaded ONNX file, callable with torch tensors by input name; returns outputs by name."""

    def __init__(self, path):
        self.model = onnx.load(path)
        graph = self.model.graph
        self.weights = {t.name: _tensor(numpy_helper.to_array(t)) for t in graph.initializer}
        self.input_names = [i.name for i in graph.input if i.name not in self.weights]
        self.output_names = [o.name for o in graph.output]
        unknown = sorted({n.op_type for n in graph.node} - set(OPS))
        if unknown:
            raise NotImplementedError(f"{path}: ops {unknown} are not covered by onnx_eval")

    @torch.no_grad()
    def __call__(self, **inputs):
        missing = set(self.input_names) - set(inputs)
        if missing:
            raise ValueError(f"missing inputs {sorted(missing)}; graph inputs are {self.input_names}")
        values = dict(self.weights)
        values.update(inputs)
        for node in self.model.graph.node:
            args = [values[name] if name else None for name in node.input]
            while args and args[-1] is None:
                args.pop()
            result = OPS[node.op_type](args, _attrs(node))
            values[node.output[0]] = result
        return {name: values[name] for name in self.output_names}
