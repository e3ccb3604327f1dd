"""A Llama-style decoder (RMSNorm, rotary positions, grouped-query attention, SwiGLU) in plain PyTorch.

The forward signature is the Optimum decoder layout, so the module exports to ONNX as is:
input_ids [B, T], attention_mask [B, past + T], position_ids [B, T], past key/values per layer
[B, kv_heads, past, head_dim] -> logits [B, T, vocab] and present key/values [B, kv_heads, past + T, head_dim].
The process reward model is the same backbone with a one-logit head, step_scores [B, T] = sigmoid(head), reading
a frozen checker's surprisal at each token beside the text.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 100
    hidden_size: int = 192
    num_layers: int = 4
    num_heads: int = 6
    num_kv_heads: int = 2
    head_dim: int = 32
    intermediate_size: int = 512
    context_length: int = 512
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=False)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        c = self.c
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, c.num_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, c.num_kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, c.num_kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat((past_k, k), dim=2)
            v = torch.cat((past_v, v), dim=2)
        present = (k, v)
        # Grouped-query attention without copying K and V per query head: query head h = kv * group + g, so the
        # `group` query heads of one KV head stack into one [group * t] block that attends to that head's keys.
        group = c.num_heads // c.num_kv_heads
        s = k.shape[2]
        q = q.reshape(b, c.num_kv_heads, group * t, c.head_dim)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(c.head_dim))
        att = att.view(b, c.num_kv_heads, group, t, s) + bias[:, :, None]
        y = torch.softmax(att, dim=-1).view(b, c.num_kv_heads, group * t, s) @ v
        y = y.view(b, c.num_heads, t, c.head_dim).transpose(1, 2).reshape(b, t, c.num_heads * c.head_dim)
        return self.o_proj(y), present


class MLP(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.input_norm = RMSNorm(c.hidden_size, c.norm_eps)
        self.attn = Attention(c)
        self.post_attn_norm = RMSNorm(c.hidden_size, c.norm_eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        a, present = self.attn(self.input_norm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attn_norm(x)), present


class Decoder(nn.Module):
    """The shared backbone: token ids in, final normalised hidden states and present KV out."""

    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.num_layers))
        self.norm = RMSNorm(c.hidden_size, c.norm_eps)
        inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, past=None, extra=None):
        """`extra` [B, T, hidden] is added to the token embeddings (the PRM's view of its checker)."""
        t = input_ids.shape[1]
        s = attention_mask.shape[1]
        # Rotary angles from explicit positions, so rows of different lengths share a batch.
        freqs = position_ids[..., None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)[:, None]
        cos, sin = emb.cos(), emb.sin()
        # Query i sits at absolute index (s - t + i); it sees keys j <= that index whose mask is 1.
        q_idx = torch.arange(t, device=input_ids.device)[:, None] + (s - t)
        k_idx = torch.arange(s, device=input_ids.device)[None, :]
        allowed = (k_idx <= q_idx)[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), -1e9, dtype=torch.float32))
        x = self.embed(input_ids)
        if extra is not None:
            x = x + extra
        presents = []
        for i, layer in enumerate(self.layers):
            pk, pv = (past[2 * i], past[2 * i + 1]) if past is not None else (None, None)
            x, present = layer(x, cos, sin, bias, pk, pv)
            presents.extend(present)
        return self.norm(x), presents


class CausalLM(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.model = Decoder(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.apply(init_weights)

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        h, presents = self.model(input_ids, attention_mask, position_ids, past)
        return self.lm_head(h), presents


class ProcessRewardModel(nn.Module):
    """Logits of P(the solution is still correct) at every position.

    The PRM runs a frozen checker beside its own backbone and adds to each token's embedding what the checker thought of
    that token (`surprisal_features`): a slip is a digit the checker finds unlikely, which a PRM trained on a few
    thousand problems does not learn to see from the text alone (within one problem, a PRM without it ranked right and
    wrong samples no better than chance). The checker is a causal LM of the policy's shape trained longer than the
    policy on the same solutions: a verifier can only catch the slips it would not make itself. Its KV is the
    checker's layers, then the PRM's own.
    """

    def __init__(self, c: Config, delimiter_id):
        super().__init__()
        self.c = c
        self.delimiter_id = delimiter_id
        self.model = Decoder(c)
        self.score_head = nn.Linear(c.hidden_size, 1)
        self.apply(init_weights)
        self.checker = CausalLM(c).requires_grad_(False)
        self.surprisal = nn.Linear(SURPRISAL_FEATURES, c.hidden_size)
        nn.init.zeros_(self.surprisal.weight)  # starts as a plain PRM on its backbone
        nn.init.zeros_(self.surprisal.bias)

    @property
    def kv_layers(self):
        return 2 * self.c.num_layers

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        """Step-score logits [B, T] and the present KV."""
        n = 2 * self.c.num_layers  # past is flat (key, value per layer): the checker's entries, then the PRM's
        logits, presents = self.checker(input_ids, attention_mask, position_ids, past[:n] if past else None)
        extra = self.surprisal(surprisal_features(logits, input_ids, self.delimiter_id))
        h, own = self.model(input_ids, attention_mask, position_ids, past[n:] if past else None, extra)
        return self.score_head(h).squeeze(-1), presents + own


SURPRISAL_FEATURES = 3


def surprisal_features(logits, input_ids, delimiter_id):
    """Per token: log p(token) under the checker, its gap to the checker's top choice, and 1 where these are known.

    Unknown at a step's first token (right after a delimiter) and at the first token of the window: a PRM that reads a
    new step on from its cached prefix starts its window there, so the features never depend on where a read began.
    """
    # Computed at each position for the token after it, then shifted one right: reductions never see an empty window
    # (a one-token read), which ONNX Runtime cannot broadcast.
    logp = F.log_softmax(logits.float(), dim=-1)
    following = F.pad(input_ids[:, 1:], (0, 1), value=delimiter_id)
    taken = logp.gather(-1, following[..., None]).squeeze(-1)
    gap = taken - logp.max(dim=-1).values
    known = (input_ids != delimiter_id).float()
    features = torch.stack([taken.clamp(min=-20.0) * known, gap.clamp(min=-20.0) * known, known], dim=-1)
    return F.pad(features[:, :-1], (0, 0, 1, 0))


def init_weights(m):
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)


def parameter_counts(module):
    total = sum(p.numel() for p in module.parameters())
    embedding = sum(m.weight.numel() for m in module.modules() if isinstance(m, nn.Embedding))
    return total, total - embedding
