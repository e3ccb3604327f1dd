"""Tiny random-weight models with golden outputs, so the C# engine can be checked against PyTorch.

Writes models/fixtures/{tiny-lm-fp32,tiny-lm-fp16,tiny-prm}/ : model.onnx, config.json, vocab.json, golden.json, and
tiny-lm-merged/, tiny-lm-fp32 in Optimum's legacy merged-decoder layout (merged_decoder.py; tiny-lm-fp32's golden outputs).
"""
import json
import os
import sys

import torch

import merged_decoder
import vocab
from export import export_policy, export_prm, write_config
from model import CausalLM, Config, ProcessRewardModel

TEXT = "Q: 5 +8 +5\n5+8=13\n13+5=18\nA: 18\n"
PREFILL = 6


def tiny_config():
    return Config(vocab_size=vocab.VOCAB_SIZE, hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, head_dim=16,
                  intermediate_size=128, context_length=128)


def round_fp16(t):
    return t.half().float()


@torch.no_grad()
def policy_golden(lm, fp16):
    ids = torch.tensor([[vocab.BOS_ID] + vocab.encode(TEXT)])
    t = ids.shape[1]
    cast = round_fp16 if fp16 else (lambda x: x)
    full, _ = lm(ids, torch.ones(1, t, dtype=torch.long), torch.arange(t)[None])
    # Cached decoding: prefill PREFILL tokens from an empty past, then one token a step, feeding presents back.
    c = lm.c
    past = [torch.zeros(1, c.num_kv_heads, 0, c.head_dim) for _ in range(2 * c.num_layers)]
    rows = []
    position = 0
    for chunk in [ids[:, :PREFILL]] + [ids[:, i:i + 1] for i in range(PREFILL, t)]:
        n = chunk.shape[1]
        logits, presents = lm(chunk, torch.ones(1, position + n, dtype=torch.long), torch.arange(position, position + n)[None], past)
        rows.append(cast(logits[0]))
        past = [cast(p) for p in presents]
        position += n
    cached = torch.cat(rows)
    return {"text": TEXT, "input_ids": ids[0].tolist(), "prefill_length": PREFILL,
            "full_logits": [[round(v, 6) for v in row] for row in cast(full[0]).tolist()],
            "cached_logits": [[round(v, 6) for v in row] for row in cached.tolist()]}


@torch.no_grad()
def prm_golden(prm):
    ids = torch.tensor([[vocab.BOS_ID] + vocab.encode(TEXT)])
    t = ids.shape[1]
    scores = torch.sigmoid(prm(ids, torch.ones(1, t, dtype=torch.long), torch.arange(t)[None])[0])
    return {"text": TEXT, "input_ids": ids[0].tolist(), "step_scores": [round(v, 7) for v in scores[0].tolist()]}


def save(directory, module, kind, dtype, golden, cached=True):
    os.makedirs(directory, exist_ok=True)
    write_config(directory, module, kind, dtype, {"fixture": "random weights, for engine tests only"}, cached)
    with open(os.path.join(directory, "golden.json"), "w") as f:
        json.dump(golden, f)
        f.write("\n")


def main(out):
    torch.manual_seed(20261122)
    c = tiny_config()
    lm = CausalLM(c).eval()
    d = os.path.join(out, "tiny-lm-fp32")
    save(d, lm, "causal-lm", "float32", policy_golden(lm, fp16=False))
    export_policy(lm, os.path.join(d, "model.onnx"))
    merged_decoder.merge(d, os.path.join(out, "tiny-lm-merged"))

    # The fp16 fixture holds the same weights rounded to fp16; its golden outputs round weights, KV and logits alike.
    with torch.no_grad():
        for p in lm.parameters():
            p.copy_(round_fp16(p))
    d = os.path.join(out, "tiny-lm-fp16")
    save(d, lm, "causal-lm", "float16", policy_golden(lm, fp16=True))
    export_policy(lm, os.path.join(d, "model.onnx"), fp16=True)

    # The fixture PRM keeps the plain layout (no KV), so the verifier's path for such graphs stays tested. Its surprisal
    # weights are random too (training starts them at zero), so the golden scores depend on the checker's view.
    prm = ProcessRewardModel(c, delimiter_id=vocab.STEP_DELIMITER_ID).eval()
    with torch.no_grad():
        prm.surprisal.weight.normal_(std=0.5)
    d = os.path.join(out, "tiny-prm")
    save(d, prm, "process-reward-model", "float32", prm_golden(prm), cached=False)
    export_prm(prm, os.path.join(d, "model.onnx"), cached=False)


if __name__ == "__main__":
    torch.set_num_threads(2)
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "fixtures"))
