"""Shared pieces of the pipeline: the ttscale CLI (the task's single source of truth), JSONL, batching, sampling."""
import json
import math
import os
import random
import subprocess

import torch
import torch.nn.functional as F

import vocab

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI_DLL = os.path.join(ROOT, "src", "TTScale.Cli", "bin", "Release", "net10.0", "TTScale.Cli.dll")


def build_cli():
    subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "TTScale.Cli"), "-c", "Release", "--nologo", "-v", "q"], check=True)


def ttscale(*args):
    """Runs `ttscale ARGS`: problems, labels and revision prompts all come from the C# task code."""
    subprocess.run(["dotnet", CLI_DLL, *map(str, args)], check=True)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, records):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, path)


def example_ids(prompt, solution, context):
    """[BOS] prompt solution [EOS], and a mask that is 1 on the tokens the loss covers (solution and EOS)."""
    p = [vocab.BOS_ID] + vocab.encode(prompt)
    s = vocab.encode(solution) + [vocab.EOS_ID]
    ids = (p + s)[:context]
    return ids, ([0] * len(p) + [1] * len(s))[:context]


def batches(examples, batch_size, rng):
    """Length-bucketed batches in random order: shuffle, sort within large chunks, split."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    chunk = batch_size * 32
    out = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i:i + chunk], key=lambda j: len(examples[j][0]))
        out.extend(part[k:k + batch_size] for k in range(0, len(part), batch_size))
    rng.shuffle(out)
    return out


def collate(examples, index):
    n = max(len(examples[i][0]) for i in index)
    ids = torch.full((len(index), n), vocab.PAD_ID, dtype=torch.long)
    loss_mask = torch.zeros((len(index), n))
    attention = torch.zeros((len(index), n), dtype=torch.long)
    for row, i in enumerate(index):
        x, m = examples[i]
        ids[row, :len(x)] = torch.tensor(x)
        loss_mask[row, :len(m)] = torch.tensor(m, dtype=torch.float)
        attention[row, :len(x)] = 1
    positions = torch.arange(n)[None].expand(len(index), n)
    return ids, attention, positions, loss_mask


def lr_at(step, total, peak, warmup=60):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def bf16():
    """bfloat16 autocast for training and training-data sampling; parameters and optimizer state stay float32."""
    return torch.autocast("cpu", dtype=torch.bfloat16)


def train_lm(lm, examples, steps, peak_lr, batch_size, seed, log, checkpoint=None):
    """Next-token cross-entropy on the masked (solution) tokens; `checkpoint(step)` is called every 500 steps."""
    rng = random.Random(seed)
    opt = torch.optim.AdamW(lm.parameters(), lr=peak_lr, betas=(0.9, 0.98), weight_decay=0.01)
    lm.train()
    queue = []
    for step in range(steps):
        if not queue:
            queue = batches(examples, batch_size, rng)
        ids, attention, positions, loss_mask = collate(examples, queue.pop())
        with bf16():
            logits, _ = lm(ids, attention, positions)
        logits = logits.float()
        losses = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
        mask = loss_mask[:, 1:].reshape(-1)
        loss = (losses * mask).sum() / mask.sum()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak_lr)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            log(f"  step {step}/{steps} loss {loss.item():.4f}")
        if checkpoint and (step + 1) % 500 == 0:
            checkpoint(step + 1)
    lm.eval()


@torch.no_grad()
def sample(lm, prompts, n, temperature, max_new, seed, batch_size=256):
    """n completions per prompt (text up to, not including, EOS). Left-padded batches with a KV cache.

    temperature 0 is greedy. One torch.Generator drives every draw, so a seed fixes the result.
    """
    gen = torch.Generator().manual_seed(seed)
    rows = [(i, p) for i, p in enumerate(prompts) for _ in range(n)]
    order = sorted(range(len(rows)), key=lambda r: len(rows[r][1]))
    results = [None] * len(rows)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        encoded = [[vocab.BOS_ID] + vocab.encode(rows[r][1]) for r in chunk]
        width = max(map(len, encoded))
        ids = torch.full((len(chunk), width), vocab.PAD_ID, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for j, e in enumerate(encoded):
            ids[j, width - len(e):] = torch.tensor(e)
            mask[j, width - len(e):] = 1
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        logits, past = lm(ids, mask, positions)
        last_pos = positions[:, -1:]
        out = [[] for _ in chunk]
        done = torch.zeros(len(chunk), dtype=torch.bool)
        for _ in range(max_new):
            step_logits = logits[:, -1].float()
            if temperature > 0:
                probs = torch.softmax(step_logits / temperature, dim=-1)
                nxt = torch.multinomial(probs, 1, generator=gen).squeeze(1)
            else:
                nxt = step_logits.argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, vocab.PAD_ID), nxt)
            for j in range(len(chunk)):
                if not done[j] and nxt[j].item() != vocab.EOS_ID:
                    out[j].append(nxt[j].item())
            done |= nxt == vocab.EOS_ID
            if bool(done.all()):
                break
            mask = torch.cat((mask, torch.ones((len(chunk), 1), dtype=torch.long)), dim=1)
            last_pos = last_pos + 1
            logits, past = lm(nxt[:, None], mask, last_pos, past)
        for j, r in enumerate(chunk):
            results[r] = vocab.decode(out[j])
    grouped = [[] for _ in prompts]
    for r, (i, _) in enumerate(rows):
        grouped[i].append(results[r])
    return grouped


@torch.no_grad()
def prm_scores(prm, prompt_completion_pairs, batch_size=128):
    """PRM probabilities at every token of [BOS] prompt completion; returns per pair the list of scores."""
    out = []
    for start in range(0, len(prompt_completion_pairs), batch_size):
        chunk = prompt_completion_pairs[start:start + batch_size]
        encoded = [[vocab.BOS_ID] + vocab.encode(p + c) for p, c in chunk]
        width = max(map(len, encoded))
        ids = torch.full((len(chunk), width), vocab.PAD_ID, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for j, e in enumerate(encoded):
            ids[j, :len(e)] = torch.tensor(e)
            mask[j, :len(e)] = 1
        positions = torch.arange(width)[None].expand(len(chunk), width)
        probs = torch.sigmoid(prm(ids, mask, positions)[0])
        out.extend(probs[j, :len(e)].tolist() for j, e in enumerate(encoded))
    return out


def delimiter_index(prompt, step_end):
    """Token index of the step delimiter that ends a step: char-level vocabulary, one token per character, after BOS."""
    return len(prompt) + step_end  # 1 (BOS) + len(prompt) + step_end - 1
