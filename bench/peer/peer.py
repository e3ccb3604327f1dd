"""TTScale's engine against PyTorch eager on the same demo model, same prompt, batch sizes and token counts.

    OMP_NUM_THREADS=2 /usr/bin/python3 bench/peer/peer.py            # runs both, prints tokens/s and the ratio

TTScale's figures come from BenchmarkDotNet (bench/TTScale.Bench DecodeBench, short job); PyTorch's from the same
protocol timed here: the prompt prefilled once at batch 1, its KV tiled to B rows, then T sampled tokens per row
(temperature 0.8) with a KV cache, prefill excluded. PyTorch runs models/train/model.py with the weights read back from
model.onnx; the read-back is first checked against the fixture's golden logits.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models", "train"))

import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import vocab  # noqa: E402
from model import CausalLM, Config  # noqa: E402

PROMPT_SEED, PROMPT_LEVEL = 7, 3


def load_from_onnx(directory):
    """Rebuilds the PyTorch module from model.onnx. Parameters keep their names ("lm." + the module path), except
    MatMul weights, which the exporter stores transposed under generated names: those are found by the scoped name of
    the MatMul node that reads them (/lm/model/layers.0/attn/q_proj/MatMul -> model.layers.0.attn.q_proj.weight), or for
    a fused projection by the names of its Split's outputs (/lm/model/layers.0/attn/k_proj/MatMul_output_0)."""
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    c = Config(vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"], num_layers=cfg["num_layers"], num_heads=cfg["num_heads"],
               num_kv_heads=cfg["num_kv_heads"], head_dim=cfg["head_dim"], intermediate_size=cfg["intermediate_size"],
               context_length=cfg["context_length"], rope_theta=cfg["rope_theta"])
    lm = CausalLM(c).eval()
    proto = onnx.load(os.path.join(directory, "model.onnx"))
    arrays = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).float() for i in proto.graph.initializer}
    for node in proto.graph.node:  # identical weights are stored once and aliased through Identity nodes
        if node.op_type == "Identity" and node.input[0] in arrays:
            arrays[node.output[0]] = arrays[node.input[0]]
    weights = {name[3:]: array for name, array in arrays.items() if name.startswith("lm.")}
    path = lambda name: name[len("/lm/"):name.rindex("/MatMul")].replace("/", ".") + ".weight"
    splits = {node.input[0]: node for node in proto.graph.node if node.op_type == "Split"}
    for node in proto.graph.node:
        if node.op_type == "MatMul" and node.input[1] in arrays and node.name.startswith("/lm/"):
            w = arrays[node.input[1]]
            split = splits.get(node.output[0])
            # A fused projection (export.fuse_projections) splits into the products it replaced, under their output names.
            parts = zip(split.output, torch.split(w, arrays[split.input[1]].long().tolist(), dim=1)) if split else [(node.name, w)]
            for name, part in parts:
                weights[path(name)] = part.t().contiguous()
    state = lm.state_dict()
    missing = set(state) - set(weights)
    if missing:
        raise SystemExit(f"{directory}/model.onnx: no weights for {sorted(missing)}")
    for name in state:
        if state[name].shape != weights[name].shape:
            raise SystemExit(f"{directory}/model.onnx: {name} has shape {tuple(weights[name].shape)}, expected {tuple(state[name].shape)}")
    lm.load_state_dict({k: weights[k] for k in state})
    return lm


def check_read_back():
    fixture = os.path.join(ROOT, "models", "fixtures", "tiny-lm-fp32")
    lm = load_from_onnx(fixture)
    with open(os.path.join(fixture, "golden.json")) as f:
        golden = json.load(f)
    ids = torch.tensor([golden["input_ids"]])
    t = ids.shape[1]
    with torch.no_grad():
        logits, _ = lm(ids, torch.ones(1, t, dtype=torch.long), torch.arange(t)[None])
    error = (logits[0] - torch.tensor(golden["full_logits"])).abs().max().item()
    if error > 1e-4:
        raise SystemExit(f"reading weights back from ONNX is wrong: max logit error {error} on the fixture")


def prompt_text():
    """DecodeBench's prompt, from the task code (built here if need be: a fresh clone has no CLI build)."""
    path = os.path.join(tempfile.mkdtemp(prefix="ttscale-peer-"), "prompt.jsonl")
    subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "src", "TTScale.Cli"), "--", "data", "arith",
                    "--count", "1", "--seed", str(PROMPT_SEED), "--levels", str(PROMPT_LEVEL), "--out", path],
                   check=True, cwd=ROOT, stdout=sys.stderr)
    with open(path) as f:
        return json.loads(f.readline())["prompt"]


@torch.inference_mode()
def torch_tokens_per_second(lm, prompt, batch, tokens, repeats):
    c = lm.c
    ids = torch.tensor([[vocab.BOS_ID] + vocab.encode(prompt)])
    n = ids.shape[1]
    logits, past = lm(ids, torch.ones(1, n, dtype=torch.long), torch.arange(n)[None],
                      [torch.zeros(1, c.num_kv_heads, 0, c.head_dim) for _ in range(2 * c.num_layers)])
    past = [p.expand(batch, -1, -1, -1).contiguous() for p in past]
    first = logits[:, -1].expand(batch, -1)
    generator = torch.Generator().manual_seed(1)
    times = []
    for _ in range(repeats + 1):  # the first run warms up
        start = time.perf_counter()
        kv, last = past, first
        for step in range(tokens):
            token = torch.multinomial(torch.softmax(last / 0.8, -1), 1, generator=generator)
            length = n + step + 1
            out, kv = lm(token, torch.ones(batch, length, dtype=torch.long), torch.full((batch, 1), length - 1), kv)
            last = out[:, -1]
        times.append(time.perf_counter() - start)
    return batch * tokens / statistics.median(times[1:])


def ttscale_tokens_per_second(batches, tokens):
    artifacts = tempfile.mkdtemp(prefix="ttscale-peer-")
    subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "bench", "TTScale.Bench"), "--",
                    "--filter", "*DecodeBench*", "--job", "short", "--exporters", "json", "--artifacts", artifacts],
                   check=True, cwd=ROOT, stdout=sys.stderr)
    report = glob.glob(os.path.join(artifacts, "results", "*DecodeBench-report*.json"))[0]
    with open(report) as f:
        benchmarks = json.load(f)["Benchmarks"]
    result = {}
    for b in benchmarks:
        params = dict(p.split("=") for p in b["Parameters"].split("&"))
        batch, count = int(params["Batch"]), int(params["Tokens"])
        if batch in batches and count == tokens:
            result[batch] = batch * tokens / (b["Statistics"]["Mean"] / 1e9)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "arith-lm"))
    ap.add_argument("--batches", default="1,8,32,64")
    ap.add_argument("--tokens", type=int, default=64, help="must match DecodeBench's Tokens parameter")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    batches = [int(b) for b in args.batches.split(",")]

    check_read_back()
    prompt = prompt_text()  # before the benchmark, so a failure here costs seconds, not the whole run
    ours = ttscale_tokens_per_second(batches, args.tokens)
    lm = load_from_onnx(args.model)
    theirs = {b: torch_tokens_per_second(lm, prompt, b, args.tokens, args.repeats) for b in batches}

    print(f"decode throughput, {args.tokens} tokens per row, {torch.get_num_threads()} threads, prompt {prompt.strip()!r}")
    print(f"{'batch':>5}  {'TTScale tok/s':>13}  {'PyTorch tok/s':>13}  {'ratio':>6}")
    for b in batches:
        print(f"{b:>5}  {ours[b]:>13.0f}  {theirs[b]:>13.0f}  {ours[b] / theirs[b]:>5.2f}x")


if __name__ == "__main__":
    main()
