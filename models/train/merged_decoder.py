"""The tiny fixture LM in the legacy merged-decoder layout of Optimum exports, so the engine's use_cache_branch path is tested.

A merged decoder takes a boolean `use_cache_branch` [1]: true runs the decoder on the past it is given, false runs it
without one (Optimum feeds a dummy past on the first pass). Here each past input passes through an If on the flag, whose
else branch cuts it to length 0, so a runtime that sends false beside a real past gets the wrong logits (or a mask that
no longer fits) instead of the right ones by accident. Needs only the onnx package:

    /usr/bin/python3 models/train/merged_decoder.py models/fixtures/tiny-lm-fp32 models/fixtures/tiny-lm-merged
"""
import json
import os
import shutil
import sys

import onnx
from onnx import TensorProto, helper


def merge(source, target):
    model = onnx.load(os.path.join(source, "model.onnx"))
    graph = model.graph
    pasts = [i for i in graph.input if i.name.startswith("past_key_values.")]
    cut = [helper.make_tensor(name, TensorProto.INT64, [1], [value]) for name, value in
           (("cut_start", 0), ("cut_end", 0), ("cut_axis", 2))]
    graph.initializer.extend(cut)
    for past in pasts:
        fed = past.name + ".fed"
        for node in graph.node:
            node.input[:] = [fed if name == past.name else name for name in node.input]
        keep = helper.make_graph([helper.make_node("Identity", [past.name], [fed + ".kept"])], past.name + ".keep", [],
                                 [helper.make_tensor_value_info(fed + ".kept", past.type.tensor_type.elem_type, None)])
        drop = helper.make_graph([helper.make_node("Slice", [past.name, "cut_start", "cut_end", "cut_axis"], [fed + ".dropped"])],
                                 past.name + ".drop", [],
                                 [helper.make_tensor_value_info(fed + ".dropped", past.type.tensor_type.elem_type, None)])
        graph.node.insert(0, helper.make_node("If", ["use_cache_branch"], [fed], then_branch=keep, else_branch=drop,
                                              name=past.name + ".branch"))
    graph.input.insert(3, helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))
    onnx.checker.check_model(model)
    os.makedirs(target, exist_ok=True)
    onnx.save(model, os.path.join(target, "model.onnx"))
    shutil.copy(os.path.join(source, "vocab.json"), os.path.join(target, "vocab.json"))
    with open(os.path.join(source, "config.json")) as f:
        config = json.load(f)
    config["inputs"].insert(3, "use_cache_branch")
    config["fixture"] = ("tiny-lm-fp32's weights in Optimum's legacy merged-decoder layout (use_cache_branch), "
                         "for engine tests only; its golden outputs are tiny-lm-fp32's")
    with open(os.path.join(target, "config.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    merge(sys.argv[1], sys.argv[2])
