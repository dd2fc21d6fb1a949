"""Fixed workload for the recorder: builds a deterministic text, counts words and bigrams,
round-trips the counts through JSON and prints a summary. No input, no randomness."""
import json

WORDS = ("alloc free block heap list split merge top align size pool region "
         "first fit address order buffer chunk header footer bin page arena").split()


def text(n):
    out, x = [], 12345
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2**31
        word = WORDS[x % len(WORDS)]
        if x % 7 == 0:
            word = word.upper()
        if x % 11 == 0:
            word = word + str(i % 97)
        out.append(word)
    return " ".join(out)


def main():
    words = text(20000).split()
    counts = {}
    for w in words:
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    bigrams = {}
    for a, b in zip(words, words[1:]):
        bigrams.setdefault(a, []).append(b)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    blob = json.dumps({"counts": counts, "bigrams": {k: len(v) for k, v in bigrams.items()}})
    back = json.loads(blob)
    lines = ["%s %d" % kv for kv in top]
    print(len(words), len(counts), len(back["bigrams"]), len(blob))
    print("\n".join(lines))


main()
