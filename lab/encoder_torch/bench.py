"""PyTorch on the same model and sentences as Tenor's encoder bench, for the comparison issue 15 asks for.

Loads all-MiniLM-L6-v2 from the directory scripts/fetch-encoder.sh fills (transformers' BertModel and the
same tokenizer.json; nothing from a hub), sorts the sentences by token count, runs them in batches padded to
each batch's longest text, and mean-pools every text over its own tokens: the work `encoder/forward_batch_32`
(benches/encoder.rs) measures, tokenizing included. `--precision int8` is PyTorch's dynamic int8 quantization
of the Linear layers (weights per tensor, activations per batch; fbgemm on x86), the counterpart of Tenor's
int8 dense layers.

Usage (lab/encoder_torch/README.md): python bench.py --sentences /tmp/sentences.jsonl [--precision int8]
"""
import argparse
import json
import os
import statistics
import time

import torch
from transformers import BertModel, PreTrainedTokenizerFast


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model-dir", default=os.path.expanduser("~/.cache/tenor/encoders/all-minilm-l6-v2-0.1.2"))
    p.add_argument("--sentences", required=True, help="records from `tenor run --format jsonl` (their text)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--precision", choices=["f32", "int8"], default="f32")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    texts = [json.loads(line)["text"] for line in open(a.sentences) if '"sentence_index"' in line]
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(a.model_dir, "tokenizer.json"))
    model = BertModel.from_pretrained(a.model_dir, local_files_only=True, add_pooling_layer=False).eval()
    if a.precision == "int8":
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

    def run():
        encodings = [tokenizer(t, truncation=True, max_length=256)["input_ids"] for t in texts]
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i]), i))
        total = 0.0
        with torch.inference_mode():
            for start in range(0, len(order), a.batch):
                batch = [encodings[i] for i in order[start:start + a.batch]]
                width = max(len(e) for e in batch)
                ids = torch.tensor([e + [0] * (width - len(e)) for e in batch])
                mask = torch.tensor([[1] * len(e) + [0] * (width - len(e)) for e in batch])
                hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
                pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
                total += float(pooled[:, 0].sum())
        return total

    run()  # warm-up
    rates = []
    for _ in range(a.runs):
        t = time.perf_counter()
        run()
        rates.append(len(texts) / (time.perf_counter() - t))
    print(json.dumps({
        "torch": torch.__version__, "precision": a.precision, "threads": a.threads, "batch": a.batch,
        "sentences": len(texts), "sentences_per_s": [round(r, 1) for r in rates],
        "median": round(statistics.median(rates), 1), "load": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
