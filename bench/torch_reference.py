"""A plain PyTorch attention seq2seq, the reference that `bench/quality_budget.py` trains ours against.

The model the official PyTorch seq2seq tutorial writes, batched, at the sizes a new user picks:

- word-level vocabularies of `--vocabulary-size` tokens per side, special tokens included (text
  NFC-normalized, lowercased, every punctuation character split off as a word of its own),
  sentences truncated at `--max-length` words (plus `</s>`);
- embeddings of 256, a bidirectional LSTM encoder of 2 x 128 over packed sequences, and a 256-unit
  LSTM decoder started from the concatenated final encoder states;
- Bahdanau attention after the decoder LSTM, `v^T tanh(W_q s_i + W_h h_j)`, then the attentional
  vector `tanh(W_c [c_i; s_i])` and the output layer;
- batches of 64 pairs cut from the pairs sorted by source length, shuffled as batches each epoch;
  Adam 1e-3, cross-entropy over the non-padding tokens, the whole gradient clipped to norm 5;
- no dropout, PyTorch's default initialization, `--threads` threads (2).

It trains for `--minutes` of wall-clock time (training steps only), then decodes the dev file
greedily in batches and prints (or writes with `--json`) the hypotheses' lowercased sacreBLEU and
chrF, the steps taken and the final training loss.

Usage:

```
python bench/torch_reference.py --minutes 15 --json runs/torch-reference.json
python bench/torch_reference.py --minutes 0.2 --train-pairs 2000 --dev-pairs 50   # smoke test
```
"""

import argparse
import collections
import json
import random
import time
import unicodedata
from pathlib import Path

import sacrebleu
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, START, END, UNKNOWN = 0, 1, 2, 3
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
BIBLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "bible"


def words(text):
    """NFC, lowercase, punctuation split off, whitespace split."""
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(f" {char} " if unicodedata.category(char).startswith("P") else char for char in text)
    return text.split()


def read_pairs(path, limit=None):
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2:
                raise ValueError(f"{path}:{number}: expected source<TAB>target, got {len(fields)} fields")
            pairs.append(tuple(fields))
            if limit and len(pairs) == limit:
                break
    return pairs


class Vocabulary:
    """The `size - 4` most frequent words of the training text, after the special tokens."""

    def __init__(self, sentences, size):
        counts = collections.Counter(word for sentence in sentences for word in sentence)
        self.tokens = SPECIALS + [word for word, _ in counts.most_common(size - len(SPECIALS))]
        self.ids = {token: index for index, token in enumerate(self.tokens)}

    def encode(self, sentence, max_length):
        return [self.ids.get(word, UNKNOWN) for word in sentence[:max_length]] + [END]

    def decode(self, ids):
        out = []
        for index in ids:
            if index == END:
                break
            out.append(self.tokens[index])
        return " ".join(out)


class Seq2Seq(nn.Module):
    def __init__(self, source_size, target_size, embedding=256, units=256):
        super().__init__()
        self.source_embedding = nn.Embedding(source_size, embedding, padding_idx=PAD)
        self.encoder = nn.LSTM(embedding, units // 2, batch_first=True, bidirectional=True)
        self.target_embedding = nn.Embedding(target_size, embedding, padding_idx=PAD)
        self.decoder = nn.LSTM(embedding, units, batch_first=True)
        self.query = nn.Linear(units, units)
        self.key = nn.Linear(units, units)
        self.score = nn.Linear(units, 1)
        self.attentional = nn.Linear(2 * units, units)
        self.output = nn.Linear(units, target_size)

    def encode(self, source, lengths):
        packed = pack_padded_sequence(self.source_embedding(source), lengths, batch_first=True, enforce_sorted=False)
        outputs, (h, c) = self.encoder(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=source.shape[1])
        state = (torch.cat([h[0], h[1]], -1)[None], torch.cat([c[0], c[1]], -1)[None])
        return outputs, self.key(outputs), source != PAD, state

    def decode(self, target_in, memory, state):
        outputs, keys, mask = memory
        states, state = self.decoder(self.target_embedding(target_in), state)
        scores = self.score(torch.tanh(self.query(states)[:, :, None] + keys[:, None])).squeeze(-1)
        alignments = torch.softmax(scores.masked_fill(~mask[:, None], float("-inf")), -1)
        context = alignments @ outputs
        attentional = torch.tanh(self.attentional(torch.cat([context, states], -1)))
        return self.output(attentional), state


def pad(sequences):
    width = max(len(sequence) for sequence in sequences)
    return torch.tensor([sequence + [PAD] * (width - len(sequence)) for sequence in sequences])


def batches(encoded, batch_size, generator):
    """Batches of `batch_size` pairs of similar source length, in a shuffled order."""
    order = sorted(range(len(encoded)), key=lambda index: len(encoded[index][0]))
    chunks = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    generator.shuffle(chunks)
    for chunk in chunks:
        sources, targets = zip(*(encoded[index] for index in chunk))
        yield pad(list(sources)), pad([[START] + target for target in targets])


def train(model, encoded, seconds, batch_size, log):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss(ignore_index=PAD)
    generator = random.Random(0)
    steps, epochs, recent = 0, 0, collections.deque(maxlen=100)
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for source, target in batches(encoded, batch_size, generator):
            memory_outputs, keys, mask, state = model.encode(source, (source != PAD).sum(1))
            logits, _ = model.decode(target[:, :-1], (memory_outputs, keys, mask), state)
            loss = loss_function(logits.reshape(-1, logits.shape[-1]), target[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            steps += 1
            recent.append(loss.item())
            if time.perf_counter() - started >= seconds:
                break
        else:
            epochs += 1
            log(f"epoch {epochs}: {steps} steps, loss {sum(recent) / len(recent):.3f}")
    elapsed = time.perf_counter() - started
    return {
        "steps": steps,
        "epochs": round(steps / -(-len(encoded) // batch_size), 2),
        "training_seconds": round(elapsed, 1),
        "final_loss": round(sum(recent) / len(recent), 3),
    }


@torch.no_grad()
def greedy(model, sources, max_length, batch_size=256):
    """Greedy decoding of encoded sources, in batches; returns the output ids of each sentence."""
    model.eval()
    results = []
    for start in range(0, len(sources), batch_size):
        source = pad(sources[start : start + batch_size])
        outputs, keys, mask, state = model.encode(source, (source != PAD).sum(1))
        tokens = torch.full((len(source), 1), START)
        ids, done = [], torch.zeros(len(source), dtype=torch.bool)
        for _ in range(max_length):
            logits, state = model.decode(tokens, (outputs, keys, mask), state)
            logits[:, -1, PAD] = float("-inf")
            tokens = logits[:, -1].argmax(-1, keepdim=True)
            ids.append(tokens[:, 0])
            done |= tokens[:, 0] == END
            if done.all():
                break
        results += torch.stack(ids, 1).tolist()
    return results


def score(hypotheses, references):
    """Lowercased sacreBLEU and chrF, with their signatures."""
    bleu, chrf = sacrebleu.BLEU(lowercase=True), sacrebleu.CHRF(lowercase=True)
    return {
        "bleu": round(bleu.corpus_score(hypotheses, [references]).score, 2),
        "bleu_signature": str(bleu.get_signature()),
        "chrf": round(chrf.corpus_score(hypotheses, [references]).score, 2),
        "chrf_signature": str(chrf.get_signature()),
    }


def run(args, log=print):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_pairs = read_pairs(args.train, args.train_pairs)
    dev_pairs = read_pairs(args.dev, args.dev_pairs)
    tokenized = [(words(source), words(target)) for source, target in train_pairs]
    source_vocabulary = Vocabulary([source for source, _ in tokenized], args.vocabulary_size)
    target_vocabulary = Vocabulary([target for _, target in tokenized], args.vocabulary_size)
    encoded = [
        (source_vocabulary.encode(source, args.max_length), target_vocabulary.encode(target, args.max_length))
        for source, target in tokenized
    ]
    model = Seq2Seq(len(source_vocabulary.tokens), len(target_vocabulary.tokens))
    summary = train(model, encoded, args.minutes * 60, args.batch_size, log)
    dev_sources = [source_vocabulary.encode(words(source), args.max_length) for source, _ in dev_pairs]
    started = time.perf_counter()
    hypotheses = [target_vocabulary.decode(ids) for ids in greedy(model, dev_sources, args.decode_length)]
    summary["decoding_seconds"] = round(time.perf_counter() - started, 1)
    summary.update(score(hypotheses, [target for _, target in dev_pairs]))
    summary["parameters"] = sum(parameter.numel() for parameter in model.parameters())
    summary["examples"] = [
        {"source": source, "reference": target, "hypothesis": hypothesis}
        for (source, target), hypothesis in list(zip(dev_pairs, hypotheses))[:3]
    ]
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="wall-clock training budget")
    parser.add_argument("--train", default=str(BIBLE / "web-sparv.train.tsv"))
    parser.add_argument("--dev", default=str(BIBLE / "web-sparv.dev.tsv"))
    parser.add_argument("--train-pairs", type=int, default=None, help="use only the first N training pairs")
    parser.add_argument("--dev-pairs", type=int, default=None, help="score only the first N dev pairs")
    parser.add_argument("--vocabulary-size", type=int, default=8000)
    parser.add_argument("--max-length", type=int, default=60, help="words per sentence, longer ones truncated")
    parser.add_argument("--decode-length", type=int, default=80, help="most output tokens when decoding")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the summary to this file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    summary = run(args)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
