# acks=all produce latency with librdkafka (Debian's python3-confluent-kafka), called by
# test/bench/compare.bench.ts: sends 1 KiB messages to one topic at a steady rate with
# linger.ms=0 and prints one JSON line: count, errors, and the delivery latency percentiles in ms
# (from produce() to the delivery report).
# usage: librdkafka-latency.py BOOTSTRAP TOPIC RATE SECONDS
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "acks": "all"})
value = b"x" * 1024
latencies = []
errors = []


def report(t0):
    def on_delivery(err, _msg):
        if err is not None:
            errors.append(str(err))
        else:
            latencies.append((time.perf_counter() - t0) * 1000)

    return on_delivery


# One message first, so connection set-up and metadata are not in the figures.
producer.produce(topic, value)
producer.flush(30)

total = int(rate * seconds)
start = time.perf_counter()
for i in range(total):
    due = start + i / rate
    while True:
        now = time.perf_counter()
        if now >= due:
            break
        producer.poll(min(due - now, 0.0005))
    producer.produce(topic, value, on_delivery=report(time.perf_counter()))
    producer.poll(0)
producer.flush(60)
latencies.sort()


def pct(p):
    if not latencies:
        return None
    return latencies[min(len(latencies) - 1, max(0, int(-(-p * len(latencies) // 100)) - 1))]


print(json.dumps({"count": len(latencies), "errors": len(errors), "firstError": errors[0] if errors else None,
                  "p50": pct(50), "p99": pct(99), "max": latencies[-1] if latencies else None}))
