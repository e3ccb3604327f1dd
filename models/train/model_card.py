"""Writes MODEL_CARD.md for the policy and the PRM from the evaluation's metrics."""
import os

from model import CausalLM, ProcessRewardModel, parameter_counts

RECIPE = """## How it was made
`OMP_NUM_THREADS=2 /usr/bin/python3 models/train/train.py` (Debian's python3-torch and python3-onnx; seed 1234;
stages and step counts in `models/train/train.py`). Problems come from `ttscale data arith` (the C# task code is the
single source of truth); labels and revision prompts from `ttscale data label`, `data revisions` and
`data revision-prompts`.

1. **SFT**: 80,000 ArithChain problems (seed 101, levels 1-5 in turn), loss on the solution tokens and EOS; batch 64,
   1,000 steps on a cosine schedule (peak lr 2e-3), then 1,600 more on a restarted one (peak 1.5e-3): after the first
   cycle the model had the format but still miscopied operands and carries.
2. **On-policy revision data**: the SFT model samples 4 attempts at temperature 0.8 on 3,000 fresh problems (seed 202);
   `ttscale data revisions` turns its own wrong attempts into examples (1-4 wrong attempts in context, then the
   correct solution; plus one example per problem whose context ends with its correct attempt, so revising keeps
   a right answer).
3. **Revision training**: half revision examples, half plain solutions.
4. **PRM**: initialised from the policy's backbone with a one-logit head; binary cross-entropy at every step
   delimiter against the exact step checker's prefix-correct label, on 4 samples each of 2,500 problems (seed 303)
   from the final policy.
"""

ITERATIONS = """## What was tried, and what is missed
- The first recipe stopped SFT at 1,000 steps: held-out greedy checks showed the format learned but operands miscopied
  (level 1 about 15% at temperature 0.8 on 20 problems). A second cosine cycle of 1,600 steps brought level 1 to 75% on
  the same check; the measured table above is after that and the revision stage.
- pass@1 is below the 35-70% band and level 1 below 85%: the model is compute-limited (about 3,400 tokens/s of training
  on 2 cores, so the ~90-minute budget buys about 12M training tokens). More SFT steps are the next lever.
- Revisions hurt: after `R:` the model often restarts from a wrong start value, because copying from a prompt that sits
  hundreds of tokens back was barely trained (300 revision steps). A longer revision stage, or revision prompts that
  restate the problem after each attempt, are the next things to try.
"""


def pct(x):
    return f"{x:.1f}%"


def check(ok):
    return "met" if ok else "**missed**"


def policy_table(m):
    rows = ["| level | pass@1 | pass@16 | majority@16 | PRM-weighted best-of-16 | PRM-naive best-of-16 |", "|---|---|---|---|---|---|"]
    for level, r in m["by_level"].items():
        rows.append(f"| {level} | {pct(r['pass@1'])} | {pct(r['pass@16'])} | {pct(r['majority@16'])} | {pct(r['weighted@16'])} | {pct(r['naive@16'])} |")
    return "\n".join(rows)


def revision_table(m):
    rev = m["revision"]["accuracy_by_attempt"]
    n = len(next(iter(rev.values())))
    rows = ["| level | " + " | ".join(["first attempt"] + [f"revision {i}" for i in range(1, n)]) + " |", "|---" * (n + 1) + "|"]
    for level, values in rev.items():
        rows.append(f"| {level} | " + " | ".join(pct(v) for v in values) + " |")
    return "\n".join(rows)


def targets(m):
    t, a, p, r = m["by_level"], m["by_level"]["all"], m["prm"], m["revision"]["summary"]
    lines = [
        ("pass@1 level 1 >= 85%", pct(t["1"]["pass@1"]), t["1"]["pass@1"] >= 85),
        ("pass@1 level 5 <= 25%", pct(t["5"]["pass@1"]), t["5"]["pass@1"] <= 25),
        ("pass@1 overall in 35%-70%", pct(a["pass@1"]), 35 <= a["pass@1"] <= 70),
        ("pass@16 - pass@1 >= 20 points", f"{a['pass@16'] - a['pass@1']:.1f}", a["pass@16"] - a["pass@1"] >= 20),
        ("majority@16 - pass@1 >= 5 points", f"{a['majority@16'] - a['pass@1']:.1f}", a["majority@16"] - a["pass@1"] >= 5),
        ("last of 4 revisions - first attempt >= 5 points (levels 2-4)", f"{r['gain']:.1f}", r["gain"] >= 5),
        ("PRM step-level AUROC >= 0.85", f"{p['step_auroc']:.3f}", p["step_auroc"] >= 0.85),
        ("PRM final-answer AUROC >= 0.85", f"{p['final_auroc']:.3f}", p["final_auroc"] >= 0.85),
        ("PRM-weighted best-of-16 >= majority@16", f"{a['weighted@16']:.1f} vs {a['majority@16']:.1f}", a["weighted@16"] >= a["majority@16"]),
    ]
    rows = ["| target | measured | |", "|---|---|---|"] + [f"| {n} | {v} | {check(ok)} |" for n, v, ok in lines]
    return "\n".join(rows)


def header(m):
    return (f"Held-out: {m['problems_per_level']} problems a level (`ttscale data arith --seed {m['eval_seed']}`), "
            f"{m['samples_per_problem']} samples each at temperature {m['temperature']}.")


def architecture(config, module):
    total, non_embedding = parameter_counts(module)
    return (f"Llama-style decoder: {config.num_layers} layers, hidden {config.hidden_size}, {config.num_heads} query heads and "
            f"{config.num_kv_heads} KV heads (grouped-query attention) of size {config.head_dim}, SwiGLU MLP of "
            f"{config.intermediate_size}, RMSNorm, rotary positions; context {config.context_length}; character-level "
            f"vocabulary of {config.vocab_size}; {total:,} parameters ({non_embedding:,} without embeddings); fp32.")


def write(lm_dir, prm_dir, m, config):
    with open(os.path.join(lm_dir, "MODEL_CARD.md"), "w") as f:
        f.write(f"""# arith-lm: the demo policy model

Solves ArithChain problems step by step (`Q: 47 +28 -13 x3` -> `47+28=75` ... `A: 186`), and revises: given up to
4 previous attempts in the revision format (see `src/TTScale/Tasks/ArithFormat.cs`), it writes a new one.

{architecture(config, CausalLM(config))}
ONNX in the Optimum decoder layout: `input_ids`, `attention_mask`, `position_ids`, `past_key_values.{{i}}.key/value`
[batch, kv_heads, past, head_dim] (an empty past works) -> `logits`, `present.{{i}}.key/value`.

{RECIPE}
## Held-out figures
{header(m)}

{policy_table(m)}

Sequential revisions ({m['revision']['chains']} chains on levels 2-4, each a first attempt then 4 revisions):

{revision_table(m)}

## Targets
{targets(m)}

{ITERATIONS}""")
    with open(os.path.join(prm_dir, "MODEL_CARD.md"), "w") as f:
        f.write(f"""# arith-prm: the demo process reward model

Scores partial ArithChain solutions: output `step_scores` [batch, seq] is the probability that the solution is still
correct at each position; read it at step delimiters (newlines). Inputs `input_ids`, `attention_mask`, `position_ids`
over `<bos>` + prompt + solution, and the policy's KV layout (`past_key_values.{i}.key/value` in, `present.{i}.key/value`
out), so a verifier can read a new step from where the last one ended instead of re-reading the whole text.

{architecture(config, ProcessRewardModel(config))} The head is one linear logit on the final hidden state.

{RECIPE}
## Held-out figures
{header(m)} Labels come from the exact step checker.

| measure | value |
|---|---|
| step-level AUROC (score at each step delimiter vs prefix-correct) | {m['prm']['step_auroc']:.3f} over {m['prm']['steps']:,} steps |
| final-answer AUROC (last-step score vs final answer correct) | {m['prm']['final_auroc']:.3f} over {m['prm']['completions']:,} completions |

Caution: the AUROCs come from the policy's own mistakes. On synthetic off-by-one slips (a reference solution against
the same solution with its first result +1 and the rest carried on consistently; 100 level 2-3 problems) it scores the
right one higher only 52 times: it does not check arithmetic, and verifier-driven selection gains little from it.

Selection over 16 samples of arith-lm with this PRM (last-step aggregation):

{policy_table(m)}

## Targets
{targets(m)}
""")
