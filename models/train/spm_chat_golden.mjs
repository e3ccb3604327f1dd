// Step 2 of models/fixtures/spm-chat (step 1: models/train/spm_chat_fixture.py): golden.json with each tokenizer.json
// variant's encodings of chat-rendered texts from Hugging Face's own tokenizers (the Rust crate, through Node bindings),
// so the C# loader's added-token and dummy-prefix rules are checked against the reference.
//
//   mkdir /tmp/hftok && cd /tmp/hftok && npm install @anush008/tokenizers@0.6.0   # tokenizers 0.22.2, from npm
//   NODE_PATH=/tmp/hftok/node_modules node models/train/spm_chat_golden.mjs models/fixtures/spm-chat
import { createRequire } from "node:module";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { Tokenizer } = createRequire(join(process.cwd(), "noop.js"))("@anush008/tokenizers");
const dir = process.argv[2] ?? "models/fixtures/spm-chat";

const TEXTS = [
  "Solve the problem step by step.",
  " What is  47 + 28?\n\nLet us think.",
  "<s>[INST] What is 47 + 28? [/INST]",
  "<s>[INST]What is 47 + 28?[/INST] The answer is 75.</s>",
  "<|system|>\nYou are a careful math tutor.<|end|>\n<|user|>\nQ: 5 +8 +5<|end|>\n<|assistant|>\n",
  "<s><|user|>\n  How many apples?<|end|>\n<|assistant|>\nStep 1: 12 + 30 = 42",
  "The answer is <mask>.   <mask> and 5 <mask>",
  "a <word> b<word>c <word>",
  "caf\u00e9 \u00b1 \u2211 \u{1F600}",
];

const golden = { tokenizers: "0.22.2 (@anush008/tokenizers 0.6.0)", texts: TEXTS, ids: {} };
for (const file of readdirSync(dir).filter(f => f.endsWith(".json") && f !== "golden.json").sort()) {
  const tokenizer = Tokenizer.fromString(readFileSync(join(dir, file), "utf8"));
  const name = file.slice(0, -".json".length);
  golden.ids[name] = [];
  for (const t of TEXTS) golden.ids[name].push((await tokenizer.encode(t, null, { addSpecialTokens: false })).getIds());
}
writeFileSync(join(dir, "golden.json"), JSON.stringify(golden, null, 1) + "\n");
console.log(`${dir}: ${Object.keys(golden.ids).length} tokenizers, ${TEXTS.length} texts`);
