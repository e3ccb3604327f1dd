"""ONNX export in the Optimum decoder layout, and the config.json that describes each model directory."""
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import vocab
from model import parameter_counts

OPSET = 17


def past_names(layers):
    return [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


def present_names(layers):
    return [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


class _PolicyGraph(torch.nn.Module):
    """Flat positional signature for torch.onnx.export."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, input_ids, attention_mask, position_ids, *past):
        logits, presents = self.lm(input_ids, attention_mask, position_ids, list(past))
        return (logits, *presents)


class _PrmGraph(torch.nn.Module):
    def __init__(self, prm):
        super().__init__()
        self.prm = prm

    def forward(self, input_ids, attention_mask, position_ids):
        return torch.sigmoid(self.prm(input_ids, attention_mask, position_ids)[0])


class _CachedPrmGraph(torch.nn.Module):
    """The PRM with the policy's KV layout, so a verifier can score a new step without re-reading its prefix."""

    def __init__(self, prm):
        super().__init__()
        self.prm = prm

    def forward(self, input_ids, attention_mask, position_ids, *past):
        logits, presents = self.prm(input_ids, attention_mask, position_ids, list(past))
        return (torch.sigmoid(logits), *presents)


def export_policy(lm, path, fp16=False):
    c = lm.c
    lm.eval()
    b, past, t = 2, 3, 4  # traced with a non-empty past; every axis that varies is declared dynamic
    ids = torch.randint(4, c.vocab_size, (b, t))
    mask = torch.ones(b, past + t, dtype=torch.long)
    pos = torch.arange(past, past + t)[None].expand(b, t).contiguous()
    kv = [torch.zeros(b, c.num_kv_heads, past, c.head_dim) for _ in range(2 * c.num_layers)]
    inputs = ["input_ids", "attention_mask", "position_ids"] + past_names(c.num_layers)
    outputs = ["logits"] + present_names(c.num_layers)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for name in past_names(c.num_layers):
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present_names(c.num_layers):
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(_PolicyGraph(lm), (ids, mask, pos, *kv), path, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    proto = fuse_projections(onnx.load(path))
    if fp16:
        proto = fp16_boundaries(proto, [n for n in inputs if n.startswith("past_key_values")], outputs)
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


def export_prm(prm, path, cached=True):
    """step_scores [B, T]; cached (the shipped PRM): past/present KV as for the policy, plain (the fixture) without."""
    c = prm.c
    prm.eval()
    b, past, t = 2, (3 if cached else 0), 5
    ids = torch.randint(4, c.vocab_size, (b, t))
    mask = torch.ones(b, past + t, dtype=torch.long)
    pos = torch.arange(past, past + t)[None].expand(b, t).contiguous()
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length" if cached else "sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "step_scores": {0: "batch_size", 1: "sequence_length"}}
    inputs, outputs, args = ["input_ids", "attention_mask", "position_ids"], ["step_scores"], (ids, mask, pos)
    if cached:
        inputs += past_names(prm.kv_layers)
        outputs += present_names(prm.kv_layers)
        args += tuple(torch.zeros(b, c.num_kv_heads, past, c.head_dim) for _ in range(2 * prm.kv_layers))
        for name in past_names(prm.kv_layers):
            axes[name] = {0: "batch_size", 2: "past_sequence_length"}
        for name in present_names(prm.kv_layers):
            axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    graph = _CachedPrmGraph(prm) if cached else _PrmGraph(prm)
    with torch.no_grad():
        torch.onnx.export(graph, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    proto = fuse_projections(onnx.load(path))
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


def fuse_projections(proto):
    """One MatMul and a Split for every group of MatMuls that project the same activation by constant weights.

    Each layer's q/k/v projections become one [hidden, q + 2 kv] product and gate/up one [hidden, 2 x intermediate]:
    fewer, wider products run faster in ONNX Runtime at every batch size (each output element is the same dot
    product, so the logits do not change).
    """
    g = proto.graph
    weights = {init.name: numpy_helper.to_array(init) for init in g.initializer}
    groups = {}
    for i, node in enumerate(g.node):
        if node.op_type == "MatMul" and node.input[1] in weights and weights[node.input[1]].ndim == 2:
            groups.setdefault(node.input[0], []).append(i)
    replacement = {}  # node index -> the nodes that stand in its place
    for x, indices in groups.items():
        if len(indices) < 2:
            continue
        nodes = [g.node[i] for i in indices]
        parts = [weights[n.input[1]] for n in nodes]
        name = nodes[0].name + "_fused"
        g.initializer.extend([numpy_helper.from_array(np.concatenate(parts, axis=1), name + ".weight"),
                              numpy_helper.from_array(np.array([w.shape[1] for w in parts], dtype=np.int64), name + ".split")])
        replacement[indices[0]] = [helper.make_node("MatMul", [x, name + ".weight"], [name + "_out"], name=name),
                                   helper.make_node("Split", [name + "_out", name + ".split"], [n.output[0] for n in nodes],
                                                    name=name + "_split", axis=-1)]
        replacement.update({i: [] for i in indices[1:]})
    nodes = [m for i, n in enumerate(g.node) for m in replacement.get(i, [n])]
    del g.node[:]
    g.node.extend(nodes)
    used = {x for n in g.node for x in n.input}
    kept = [init for init in g.initializer if init.name in used]
    del g.initializer[:]
    g.initializer.extend(kept)
    return proto


def fp16_boundaries(proto, fp16_inputs, fp16_outputs):
    """Stores weights, KV inputs/outputs and logits in fp16; arithmetic stays fp32 between Cast nodes.

    ONNX Runtime's CPU provider lacks fp16 kernels for much of a decoder, so this is the layout that runs
    everywhere while exercising what an engine must handle for fp16 models: fp16 KV and fp16 logits.
    """
    g = proto.graph
    head, tail = [], []
    initializers = []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and len(init.dims) > 0:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + "__fp16")
            initializers.append(half)
            head.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
        else:
            initializers.append(init)
    del g.initializer[:]
    g.initializer.extend(initializers)

    def rename(old, new, inputs=True, outputs=True):
        for node in g.node:
            if inputs:
                node.input[:] = [new if x == old else x for x in node.input]
            if outputs:
                node.output[:] = [new if x == old else x for x in node.output]

    for value in g.input:
        if value.name in fp16_inputs:
            inner = value.name + "__fp32"
            rename(value.name, inner, outputs=False)
            head.append(helper.make_node("Cast", [value.name], [inner], to=TensorProto.FLOAT))
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    for value in g.output:
        if value.name in fp16_outputs:
            inner = value.name + "__fp32"
            rename(value.name, inner)
            tail.append(helper.make_node("Cast", [inner], [value.name], to=TensorProto.FLOAT16))
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    return proto


def write_config(directory, module, kind, dtype="float32", extra=None, cached=True):
    c = module.c
    total, non_embedding = parameter_counts(module)
    blocks = "RMSNorm, rotary positions, grouped-query attention, SwiGLU"
    shape = {"architecture": f"llama-style decoder: {blocks}", "num_layers": c.num_layers}
    if kind == "process-reward-model":  # num_layers counts the KV layers: the frozen checker's, then the PRM's own
        n = module.kv_layers
        shape = {"architecture": f"two {c.num_layers}-layer decoders ({blocks}): a frozen checker LM (KV layers "
                                 f"0-{c.num_layers - 1}) whose per-token surprisal feeds the PRM's own (KV layers {c.num_layers}-{n - 1})",
                 "num_layers": n, "decoder_layers": c.num_layers}
    config = {
        "model_type": kind,
        **shape,
        "num_heads": c.num_heads,
        "num_kv_heads": c.num_kv_heads,
        "head_dim": c.head_dim,
        "hidden_size": c.hidden_size,
        "intermediate_size": c.intermediate_size,
        "vocab_size": c.vocab_size,
        "context_length": c.context_length,
        "rope_theta": c.rope_theta,
        "parameters": total,
        "parameters_non_embedding": non_embedding,
        "dtype": dtype,
        "kv_dtype": dtype,
        "pad_token_id": vocab.PAD_ID,
        "bos_token_id": vocab.BOS_ID,
        "eos_token_id": vocab.EOS_ID,
        "unk_token_id": vocab.UNK_ID,
        "step_delimiter": vocab.STEP_DELIMITER,
        "tokenizer": {"type": "char-bpe", "vocab": "vocab.json"},
        "onnx": "model.onnx",
    }
    if kind == "causal-lm":
        config["inputs"] = ["input_ids", "attention_mask", "position_ids", "past_key_values.{i}.key", "past_key_values.{i}.value"]
        config["outputs"] = ["logits", "present.{i}.key", "present.{i}.value"]
    elif cached:
        config["inputs"] = ["input_ids", "attention_mask", "position_ids", "past_key_values.{i}.key", "past_key_values.{i}.value"]
        config["outputs"] = ["step_scores", "present.{i}.key", "present.{i}.value"]
    else:
        config["inputs"] = ["input_ids", "attention_mask", "position_ids"]
        config["outputs"] = ["step_scores"]
    config.update(extra or {})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    vocab.save(os.path.join(directory, "vocab.json"))
