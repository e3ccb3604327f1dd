// Writes models/fixtures/hf-tokenizers/: one small byte-level BPE vocabulary dressed in the pre-tokenizers and
// normalizers of real tokenizer.json files (GPT-2, Qwen2, Llama 3, StarCoder, DeepSeek-V3) and in Split's five
// behaviors, and golden.json with each one's encodings from Hugging Face's own tokenizers (the Rust crate, through
// Node bindings), so the C# loader is checked against the reference rather than against itself.
//
//   mkdir /tmp/hftok && cd /tmp/hftok && npm install @anush008/tokenizers@0.6.0   # tokenizers 0.22.2, from npm
//   NODE_PATH=/tmp/hftok/node_modules node models/train/hf_tokenizer_fixtures.mjs models/fixtures/hf-tokenizers
//
// Byte-reproducible: the merges are learned deterministically from the corpus below, over whole lines with no
// pre-tokenization, so they cross the boundaries the pre-tokenizers disagree on (" 1", "(x", "\n\n").
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { Tokenizer } = createRequire(join(process.cwd(), "noop.js"))("@anush008/tokenizers");
const out = process.argv[2] ?? "models/fixtures/hf-tokenizers";

const CORPUS = [
  "Q: 47+28*3=?", "47+28=75", "75*3=225", "A: 225", "",
  "Q: 912-128+64=?", "912-128=784", "784+64=848", "A: 848", "",
  "Let f(x) = 3x + 12. Then f(4) = 24, and we don't need (x) again.",
  "The answer is 12345 apples; she'll sell 678 of them.", "",
  "  indented\tand tabbed lines, café and naïve.", "Step 1: 100 + 200 = 300", "Step 2: 300 * 2 = 600",
];

// GPT-2's byte-to-character table: printable bytes stand for themselves, the rest for 256 + n.
const byteChar = [];
for (let b = 0, extra = 0; b < 256; b++) {
  const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  byteChar.push(String.fromCodePoint(printable ? b : 256 + extra++));
}
const symbols = text => [...Buffer.from(text, "utf8")].map(b => byteChar[b]);

// Textbook BPE: merge the most frequent adjacent pair (ties: the first seen), 120 times.
const vocab = Object.fromEntries(byteChar.map((c, i) => [c, i]));
const merges = [];
let words = [symbols(CORPUS.join("\n") + "\n")];
for (let round = 0; round < 120; round++) {
  const counts = new Map();
  for (const w of words) for (let i = 0; i + 1 < w.length; i++) {
    const key = w[i] + " " + w[i + 1];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best = null, bestCount = 1;
  for (const [key, count] of counts) if (count > bestCount) { best = key; bestCount = count; }
  if (best === null) break;
  const [a, b] = best.split(" ");
  merges.push(best);
  vocab[a + b] ??= Object.keys(vocab).length;
  words = words.map(w => {
    const merged = [];
    for (let i = 0; i < w.length; i++) {
      if (i + 1 < w.length && w[i] === a && w[i + 1] === b) { merged.push(a + b); i++; } else merged.push(w[i]);
    }
    return merged;
  });
}
// A word the merges cannot build, for ignore_merges (Llama 3 takes a whole word found in the vocabulary as it is).
vocab["Ġapples"] ??= Object.keys(vocab).length;
const base = Object.keys(vocab).length;
const added = [
  { id: base, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  { id: base + 1, content: "<|im_start|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  { id: base + 2, content: "<|im_end|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  { id: base + 3, content: "<tool_call>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
  // Phi-3's turn markers eat the whitespace after them; RoBERTa's <mask> the whitespace before.
  { id: base + 4, content: "<|end|>", single_word: false, lstrip: false, rstrip: true, normalized: false, special: true },
  { id: base + 5, content: "<mask>", single_word: false, lstrip: true, rstrip: false, normalized: false, special: true },
  { id: base + 6, content: "<word>", single_word: true, lstrip: false, rstrip: false, normalized: false, special: true },
];

const byteLevel = useRegex => ({ type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: useRegex });
const split = regex => ({ type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false });
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const DEEPSEEK = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
const sequence = (...pretokenizers) => ({ type: "Sequence", pretokenizers });

// Split's other behaviors, on digits so they change which merges apply.
const behavior = (name, invert = false) => ({
  normalizer: null, ignore_merges: false,
  pre_tokenizer: sequence({ type: "Split", pattern: { Regex: "\\p{N}" }, behavior: name, invert }, byteLevel(false)),
});
const VARIANTS = {
  gpt2: { normalizer: null, pre_tokenizer: byteLevel(true), ignore_merges: false },
  qwen2: { normalizer: { type: "NFC" }, pre_tokenizer: sequence(split(QWEN2), byteLevel(false)), ignore_merges: false },
  llama3: { normalizer: null, pre_tokenizer: sequence(split(LLAMA3), byteLevel(false)), ignore_merges: true },
  starcoder: { normalizer: null, pre_tokenizer: sequence({ type: "Digits", individual_digits: true }, byteLevel(true)), ignore_merges: false },
  deepseek: {
    normalizer: null,
    pre_tokenizer: sequence(split("\\p{N}{1,3}"), split("[一-龥぀-ゟ゠-ヿ]+"), split(DEEPSEEK), byteLevel(false)),
    ignore_merges: false,
  },
  "split-removed": behavior("Removed"),
  "split-merged-with-previous": behavior("MergedWithPrevious"),
  "split-merged-with-next": behavior("MergedWithNext"),
  "split-contiguous": behavior("Contiguous"),
  "split-contiguous-inverted": behavior("Contiguous", true),
  "split-string": {
    normalizer: null, ignore_merges: false,
    pre_tokenizer: sequence({ type: "Split", pattern: { String: "+" }, behavior: "MergedWithNext", invert: false }, byteLevel(false)),
  },
};

const TEXTS = [
  "Q: 47+28*3=?\n47+28=75\n75*3=225\nA: 225",
  "Let f(x) = 3x + 12.\n\nThen f(4) = 24, and we DON'T need (x).",
  "The answer is 12345 apples; she'll sell 678 of them.",
  "  indented\tand tabbed lines, cafe\u0301 and naïve.\n\n\n",
  "<|im_start|>user\nWhat is 100 + 200?<|im_end|>\n<tool_call>Step 1: 100 + 200 = 300<|endoftext|>",
  "Q: 47+28<|end|>\n \nA: 75 is <mask>.   <mask> and a <word> b<word>c <word>",
];

mkdirSync(out, { recursive: true });
const golden = { tokenizers: "0.22.2 (@anush008/tokenizers 0.6.0)", texts: TEXTS, ids: {} };
for (const [name, v] of Object.entries(VARIANTS)) {
  const json = {
    version: "1.0", truncation: null, padding: null, added_tokens: added, normalizer: v.normalizer,
    pre_tokenizer: v.pre_tokenizer, post_processor: null, decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: v.ignore_merges, vocab, merges,
    },
  };
  const text = JSON.stringify(json, null, 1);
  writeFileSync(join(out, `${name}.json`), text + "\n");
  const tokenizer = Tokenizer.fromString(text);
  golden.ids[name] = [];
  for (const t of TEXTS) golden.ids[name].push((await tokenizer.encode(t, null, { addSpecialTokens: false })).getIds());
}
writeFileSync(join(out, "golden.json"), JSON.stringify(golden, null, 1) + "\n");
console.log(`${out}: ${Object.keys(VARIANTS).length} tokenizers, ${base} base tokens, ${merges.length} merges`);
