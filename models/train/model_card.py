"""Writes MODEL_CARD.md for the policy and the PRM from the evaluation's metrics."""
import os

from model import CausalLM, ProcessRewardModel, parameter_counts

def recipe(m):
    r = m["recipe"]  # the step counts and sizes the pipeline ran with
    return f"""## How it was made
`OMP_NUM_THREADS=2 /usr/bin/python3 models/train/train.py` (Debian's python3-torch and python3-onnx; seed 1234;
stages and step counts in `models/train/train.py`). Problems come from `ttscale data arith` (the C# task code is the
single source of truth); labels and revision prompts from `ttscale data label`, `data revisions` and
`data revision-prompts`. Training and the sampling of training data run under bfloat16 autocast (float32 weights
and optimizer state; about 3.5x faster on this CPU with the same loss curve); the held-out figures below are float32,
as the exported model runs.

1. **SFT**: {r['TRAIN_PROBLEMS']:,} ArithChain problems (seed {r['TRAIN_SEED']}, levels 1-5 in turn), loss on the solution
   tokens and EOS; batch {r['BATCH']}, one cosine schedule of {r['SFT_STEPS']:,} steps (peak lr {r['PEAK_LR']:g}).
2. **On-policy revision data**: the SFT model samples {r['ATTEMPTS']} attempts at temperature {r['TEMPERATURE']} on
   {r['ATTEMPT_PROBLEMS']:,} fresh problems (seed {r['ATTEMPT_SEED']}); `ttscale data revisions` turns its own attempts
   into {r['REVISIONS_PER_PROBLEM']} examples per problem: a random 1-4 of them in context, right and wrong alike, then the correct
   solution, so a revision learns to fix a wrong last attempt and to keep a right one.
3. **Revision training**: {r['REVISE_STEPS']:,} steps on half revision examples, half plain solutions (peak lr {r['PEAK_LR'] / 2:g}).
4. **Checker**: a second model of the policy's shape, trained as SFT is on the same problems but for one cosine schedule
   of {r['CHECKER_STEPS']:,} steps (peak lr {r['PEAK_LR']:g}): it slips less than the policy, so it can see the policy's slips.
5. **PRM**: the frozen checker, whose surprisal at each token feeds a second backbone initialised from the checker's,
   with a one-logit head; binary cross-entropy at every step delimiter against the exact step checker's
   prefix-correct label, on {r['PRM_SAMPLES']} samples each of
   {r['PRM_PROBLEMS']:,} problems (seed {r['PRM_SEED']}) from the final policy; {r['PRM_STEPS']:,} steps (peak lr {r['PRM_LR']:g}).
"""


ITERATIONS = """## What was tried
- The first recipe (float32, 80,000 problems, SFT of 1,000 then 1,600 steps on two cosine cycles, 300 revision and
  300 PRM steps; about 3,400 training tokens/s) gave a weak model: pass@1 67.1% on level 1 and 20.8% overall, revisions
  that lowered accuracy (11.4% first attempt, 1.3% after 4 revisions on levels 2-4), PRM-weighted best-of-16 27.4% vs
  majority 28.0%, and a PRM that ranked a reference above its one-slip copy 58 times in 100 (chance).
- bfloat16 autocast (float32 weights) trains about 3.5x faster on this CPU (AVX-512 BF16) with the same loss over the
  first 200 steps as float32, so the same time buys 3.5x the steps.
- One 7,000-step schedule on 200,000 problems was too strong for what the model is for: sampled at 0.8 (30 problems a
  level, 4 samples), 100/100/93/87/60% by level, 88% overall, leaving best-of-N at most 12 points to add.
- The SFT checkpoints of the shipped 3,000-step schedule (same check) show how sharply the skill arrives: step 1,000
  2.2% overall, 1,500 11.3% (level 1 47.5%), 2,000 27.2% (level 1 92.5%, level 2 37.5%), 2,500 39.8%, 3,000 41.7%
  (100/82/23/2.5/0.8% by level). The revision stage trains on as well (half its examples are plain solutions).
- Revisions, first try: examples showed only wrong attempts in context (plus one per problem ending in a right
  attempt, 11.5% of examples), and the model learned that a revision changes the answer: levels 2-4 fell from 44.9%
  (first attempt) to 0.7% after four revisions. Contexts are now a random 1-4 of the model's own attempts, right and
  wrong alike (42% end in a right one). With 2 examples per problem and 700 revision-stage steps, levels 2-4 still
  fell from 45.2% to 6.7%: greedy on its own training examples the policy copied a right last attempt 41 times in 60
  and fixed a wrong one 3 times in 60, usually by misreading an operand from the attempts in between (`244-54` for
  `-24 +57`). 900 more steps on revision examples alone taught revising (one greedy revision of held-out levels 2-4
  first attempts: 136/300 right -> 156/300) but unlearned first attempts (pass@1 9.1%). The shipped recipe trains
  longer on the same half-and-half mixture (1,600 steps, 4 examples per problem, about 38 minutes): pass@1 rose from
  48.0% to 57.0% and four revisions now lose 15 points instead of 38; they still lose, because each revision reads
  the problem back across up to four earlier attempts and slips more often than a fresh attempt does. Restating the
  question right before the new attempt did not help: from the shipped policy, 400 more steps of the same mixture
  with the question restated took levels 2-4 from 56.9% (first attempt) to 39.4% after four revisions, against 47.2%
  after the same 400 steps in the shipped format (1,200 chains each). What a revision loses is mostly a carry: of
  the 571 chain steps (of 4,800) where a right attempt was revised into a wrong one, 302 changed the first differing
  result by exactly 10 and 43 by exactly 100 (`56+8=64` revised to `56+8=74`), the same shape as the policy's own
  slips (75% of its first wrong results are off by 10 or 100). Trained on contexts where an attempt is often off by
  a carry, the revision hedges: it flips a carry it cannot check. Revision examples only for problems the model
  solves greedily (2,849 of the 4,000, so that the target is always the answer it is most sure of) did not change
  this: from the shipped policy, 400 more steps took levels 2-4 from 56.9% to 46.8% after four revisions (47.2% with
  all problems). Three more probes of the same kind, each 400 steps from the shipped policy and scored on one set of
  1,200 held-out chains (on which the shipped policy goes from 56.2% to 42.2%): contexts from the shipped policy's own
  attempts instead of the SFT model's (the last attempt right in 61.6% of examples instead of 42.5%) 45.3% after four
  revisions; twice the weight on examples whose last attempt is right 46.7%; contexts cut from the shipped policy's
  own revision chains (each of its attempts revised three times, so the contexts are those a chain meets) 47.8%, and
  60.7% after 1,200 steps. That last figure is not a gain from revising: these chains start from the shipped policy's
  attempts, and 1,200 more steps make a stronger policy (pass@1 65.2% overall); from its own first attempts, levels
  2-4 go from 69.7% to 61.2% after four revisions (-8.5; the shorter probes' own first attempts were not measured). The
  policy barely copies: on level 3 a right attempt that all four attempts in context agree on is still revised into a
  wrong one 29% of the time (19% after the chain probe), and on level 4 one that two or three agree on 57-82% of the
  time (58-63%), near a fresh attempt's error rate there (46% and 81%); it recomputes rather than trust an attempt it
  cannot check. Greedy decoding reaches 67.0% on levels 2-4 (98/70/33%) against 58.8% sampled, so the headroom a
  revision could take is there; the policy does not learn to check a carry from its own attempts at this size.
- Majority@16 gains mostly on levels 3-5 (levels 1-2 are nearly solved). Measured on one draw of 16 samples a
  problem, as every figure in this list was, it added 4.6 points (61.6% vs 57.0%), short of the 5 asked; but one draw
  moves majority@16 by a point or two on 500 problems (a problem's vote is right or wrong as a whole), so the held-out
  figures above are now expectations over 64 samples a problem, and they give +6.0. `ttscale sweep` on the same
  problems (64-sample pools from the ONNX model, seeds 1234 and 77; `simulate --strategy majority`) gives +6.0 and
  +5.9, with 95% bootstrap intervals over the problems of +4.7 to +7.3 points.
- The first PRMs (one backbone reading the text) got their AUROCs from telling problems and wrong chains apart, not
  from checking the arithmetic: among one problem's 16 samples (right and wrong both present) the last-step score
  ranked a right sample above a wrong one about half the time (within-problem AUROC 0.501; one-slip check 49 in 100;
  PRM-naive best-of-16 49.6%, PRM-weighted 62.0%). 84% of the policy's first wrong steps have a result off by a
  multiple of 10 (59% by exactly 10 or 100: carries), and the PRM, on the same backbone, believed them as the policy
  did. Yet the policy's own log-likelihood of a sample, with no training at all, ranks one problem's samples at 0.71
  (final-answer AUROC 0.958): a slip is usually a token the policy itself rated unlikely, sampled at temperature 0.8.
  The next PRM therefore read the frozen policy's per-token surprisal beside the text (same labels, data and
  steps): within-problem AUROC 0.707, PRM-weighted best-of-16 64.0%, PRM-naive 63.1% on these held-out samples. Twice its data and steps (8,000 problems, 1,800 steps; 9 more minutes) gave
  within-problem AUROC 0.704, PRM-naive 64.6%, but PRM-weighted 63.2%, and on the issue benchmarks the same
  best-of-16 (71.0% weighted on levels 1-5) and beam level with best-of-16 on levels 3-5 (44.7% each), so it was
  not kept. Nor 300 more steps from that PRM with a within-problem ranking loss (logistic, on the last-step
  logits of each right-wrong pair among a problem's 4 samples, beside the step loss; 16 problems a batch): within-problem
  AUROC 0.681, PRM-weighted 64.0%, PRM-naive 61.6%, against 0.691, 62.4% and 63.0% for the same 300 steps without it.
  Tried without gain on the one-backbone PRM: a PRM on the backbone of a 7,000-step
  SFT model (88% pass@1; level-3 within-problem AUROC 0.47 -> 0.59); contrastive carry-slip pairs (0.49 -> 0.55);
  labels at every character, turning 0 at the checker's first wrong character instead of at the step's delimiter
  (within-problem AUROC 0.507 vs 0.501, PRM-weighted 61.0% vs 62.0%, one-slip check 41 vs 49 in 100). Four times
  the PRM data (16,000 problems, 2,400 steps; 10 more minutes) moved the within-problem AUROC to 0.577 and PRM-naive
  to 51.8%, but PRM-weighted to 61.8% and beam search (N=16, levels 3-5) from 29.3% to 25.3%, so it was not kept.
  Beam with the exact step checker as verifier reaches 81.3% there, the one-backbone PRM 29.3% and the policy-surprisal
  PRM 43.3% (above weighted best-of-16's 42.0% at the same FLOPs): the verifier was still what limited search.
- Every PRM above landed within a point of the policy's own likelihood (within-problem 0.71): a verifier that reads
  the policy's surprisal checks arithmetic no better than the policy does it, and the policy's slips are slips it
  could make again. The shipped PRM reads a checker instead: a model of the same shape and data trained for 9,000
  SFT steps instead of 3,000 (about 57 minutes more on 2 cores). Untrained as a verifier, the checker's own likelihood ranks one
  problem's right samples above its wrong ones at 0.890 (sum of log-probabilities; 0.901 for the smallest gap to its
  top choice) on the PRM's training samples (1,000 problems x 4), against 0.774 for the policy's, and picks 70.7% as
  best-of-4 against 66.0% (pass@1 59.6%, pass@4 74.2%); at 3,000 of its 9,000 steps it was still worse than the policy
  (0.660). With the PRM trained on it (same labels, data and steps as before), on the issue benchmarks: best-of-16 on
  `arith:count=200,levels=1-5,seed=7` 83.0% weighted and 84.0% naive against 71.0% and 70.0% with the policy-surprisal
  PRM (sampling 63.5%), and on levels 3-5 (`arith:count=150,levels=3-5,seed=5`, N=16) beam 74.7% and weighted
  best-of-16 68.0% against 43.3% and 42.0%. The PRM costs what it did: the checker has the policy's shape.
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
            f"{m['samples_per_problem']} samples each at temperature {m['temperature']}; the best-of-{m['best_of']} figures are "
            f"expectations over them (pass@{m['best_of']} by the unbiased estimator, the selection rules averaged over "
            f"{m['subsets']} random {m['best_of']}-subsets a problem).")


def architecture(config, module):
    total, non_embedding = parameter_counts(module)
    return (f"Llama-style decoder: {config.num_layers} layers, hidden {config.hidden_size}, {config.num_heads} query heads and "
            f"{config.num_kv_heads} KV heads (grouped-query attention) of size {config.head_dim}, SwiGLU MLP of "
            f"{config.intermediate_size}, RMSNorm, rotary positions; context {config.context_length}; character-level "
            f"vocabulary of {config.vocab_size}; {total:,} parameters ({non_embedding:,} without embeddings); fp32.")


def prm_architecture(config):
    prm = ProcessRewardModel(config, delimiter_id=None)  # for its shape only
    total, non_embedding = parameter_counts(prm)
    return (f"Two decoders of the policy's shape side by side: a frozen checker (arith-lm's architecture, trained "
            f"longer on the same solutions; recipe below), and the PRM's own backbone (initialised from it) with a "
            f"one-logit head on its final hidden state. At each token the checker "
            f"gives its log-probability of that token and the gap to its top choice (unknown, and zero, at a step's "
            f"first token, so a read that starts after a delimiter needs nothing from before it); a linear map of the "
            f"two adds to the token's embedding in the PRM's backbone. {architecture(config, prm.model)} Together "
            f"{total:,} parameters ({non_embedding:,} without embeddings); the KV holds the checker's "
            f"{config.num_layers} layers, then the PRM's {config.num_layers}.")


def slip_sentence(slips):
    return (f"on {slips['problems']} level 2-3 problems, the reference solution against the same solution with its first "
            f"result +1 and the rest carried on consistently (so only one step is wrong), the PRM's last-step score ranks "
            f"the reference higher {slips['reference_higher']} times.")


def write(lm_dir, prm_dir, m, config):
    with open(os.path.join(lm_dir, "MODEL_CARD.md"), "w") as f:
        f.write(f"""# arith-lm: the demo policy model

Solves ArithChain problems step by step (`Q: 47 +28 -13 x3` -> `47+28=75` ... `A: 186`), and revises: given up to
4 previous attempts in the revision format (see `src/TTScale/Tasks/ArithFormat.cs`), it writes a new one.

{architecture(config, CausalLM(config))}
ONNX in the Optimum decoder layout: `input_ids`, `attention_mask`, `position_ids`, `past_key_values.{{i}}.key/value`
[batch, kv_heads, past, head_dim] (an empty past works) -> `logits`, `present.{{i}}.key/value`.

{recipe(m)}
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
over `<bos>` + prompt + solution, and the policy's KV layout (`past_key_values.{{i}}.key/value` in, `present.{{i}}.key/value`
out), so a verifier can read a new step from where the last one ended instead of re-reading the whole text.

{prm_architecture(config)}

{recipe(m)}
## Held-out figures
{header(m)} Labels come from the exact step checker.

| measure | value |
|---|---|
| step-level AUROC (score at each step delimiter vs prefix-correct) | {m['prm']['step_auroc']:.3f} over {m['prm']['steps']:,} steps |
| final-answer AUROC (last-step score vs final answer correct) | {m['prm']['final_auroc']:.3f} over {m['prm']['completions']:,} completions |
| within-problem AUROC (last-step score among one problem's {m['samples_per_problem']} samples, right vs wrong; mean over problems with both) | {m['prm']['within_problem_auroc']:.3f} over {m['prm']['mixed_problems']} problems |

Off-by-one slips: {slip_sentence(m['prm']['slips'])}

Best-of-{m['best_of']} selection from arith-lm's samples with this PRM (last-step aggregation):

{policy_table(m)}

## Targets
{targets(m)}
""")


if __name__ == "__main__":
    # Rewrites both cards from the last evaluation (work/metrics.json) without re-running it.
    import json
    import sys
    from model import Config
    import vocab
    here = os.path.dirname(os.path.abspath(__file__))
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "work")
    with open(os.path.join(work, "metrics.json")) as f:
        metrics = json.load(f)
    models = os.path.join(here, "..")
    write(os.path.join(models, "arith-lm"), os.path.join(models, "arith-prm"), metrics, Config(vocab_size=vocab.VOCAB_SIZE))
