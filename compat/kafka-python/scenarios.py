"""kafka-python (pure Python, PyPI) against BOOTSTRAP: producer with every codec, consumer by assignment,
admin calls, consumer group, transactions. One PASS/FAIL/SKIP line per scenario."""
import os
import sys
import time
import traceback

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.errors import KafkaTimeoutError, TopicAlreadyExistsError

BOOTSTRAP = os.environ["BOOTSTRAP"]
RUN_ID = os.environ.get("RUN_ID", str(int(time.time())))
TIMEOUT = 30
COMMON = {"bootstrap_servers": BOOTSTRAP, "request_timeout_ms": 15000}


def topic_name(s):
    return f"compat-kp-{s}-{RUN_ID}"


def check(ok, what):
    if not ok:
        raise AssertionError(what)


admin = None  # set in main, so a broker that cannot be reached still yields a result line


def partitions_of(topic):
    for t in admin.describe_topics([topic]):
        if t["name"] == topic and not t.get("error_code"):
            return t["partitions"]
    return []


def create_topic(topic, partitions=1, configs=None):
    admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs or {})], timeout_ms=TIMEOUT * 1000)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        parts = partitions_of(topic)
        if len(parts) == partitions and all(p["leader_id"] >= 0 for p in parts):
            return
        time.sleep(0.2)
    raise AssertionError(f"{topic} has no leaders after {TIMEOUT}s")


def produce(topic, records, **conf):
    p = KafkaProducer(**COMMON, **conf)
    futures = [p.send(topic, **r) for r in records]
    p.flush(TIMEOUT)
    for f in futures:
        f.get(TIMEOUT)
    p.close(TIMEOUT)


def read_partition(topic, partition, want, **conf):
    """Assign (no group), from offset 0."""
    c = KafkaConsumer(**COMMON, group_id=None, enable_auto_commit=False, **conf)
    tp = TopicPartition(topic, partition)
    c.assign([tp])
    c.seek(tp, 0)
    out = []
    deadline = time.time() + TIMEOUT
    while len(out) < want and time.time() < deadline:
        for msgs in c.poll(timeout_ms=500).values():
            out.extend(msgs)
    c.close()
    return out


def codec_scenario(codec):
    def run():
        topic = topic_name(f"codec-{codec}")
        create_topic(topic)
        n = 500
        headers = lambda i: [("h", str(i).encode()), ("c", codec.encode())]  # noqa: E731
        produce(topic, [{"key": f"k{i}".encode(), "value": f"v{i}-{codec}".encode() * 4, "headers": headers(i), "partition": 0}
                        for i in range(n)], compression_type=None if codec == "none" else codec, linger_ms=5)
        got = read_partition(topic, 0, n)
        check(len(got) == n, f"read {len(got)} of {n}")
        for i, m in enumerate(got):
            check(m.offset == i and m.key == f"k{i}".encode() and m.value == f"v{i}-{codec}".encode() * 4
                  and list(m.headers) == headers(i), f"offset {i}: {m}")
    return run


def idempotent_producer():
    topic = topic_name("idem")
    create_topic(topic, 2)
    n = 1000
    produce(topic, [{"value": f"m{i}".encode(), "partition": i % 2} for i in range(n)], enable_idempotence=True, acks="all")
    for part in (0, 1):
        got = read_partition(topic, part, n // 2)
        check([m.value.decode() for m in got] == [f"m{i}" for i in range(part, n, 2)], f"partition {part}: wrong records or order")


def admin_create_list_topics():
    topic = topic_name("admin")
    create_topic(topic, 3)
    check(topic in admin.list_topics(), "list_topics misses the topic")
    check(len(partitions_of(topic)) == 3, "describe_topics: want 3 partitions")
    try:
        admin.create_topics([NewTopic(topic, 3, 1)])
        raise AssertionError("creating an existing topic succeeded")
    except TopicAlreadyExistsError:
        pass


def admin_create_partitions():
    topic = topic_name("grow")
    create_topic(topic, 1)
    admin.create_partitions({topic: NewPartitions(3)})
    deadline = time.time() + TIMEOUT
    while len(partitions_of(topic)) != 3:
        check(time.time() < deadline, "partition count never reached 3")
        time.sleep(0.2)


def admin_delete_topics():
    topic = topic_name("delete")
    create_topic(topic)
    admin.delete_topics([topic], timeout_ms=TIMEOUT * 1000)
    deadline = time.time() + TIMEOUT  # deletion reaches the metadata cache a moment after the answer
    while topic in admin.list_topics():
        check(time.time() < deadline, f"topic still listed {TIMEOUT}s after delete_topics")
        time.sleep(0.2)


def admin_describe_configs():
    topic = topic_name("configs")
    create_topic(topic, 1, {"retention.ms": "123456"})
    res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    text = repr(res)
    check("retention.ms" in text and "123456" in text, f"describe_configs: {text[:300]}")


def admin_list_offsets():
    from kafka.admin import OffsetSpec
    topic = topic_name("offsets")
    create_topic(topic)
    base = int(time.time() * 1000) - 100_000
    produce(topic, [{"value": str(i).encode(), "partition": 0, "timestamp_ms": base + i * 1000} for i in range(10)])
    tp = TopicPartition(topic, 0)
    latest = admin.list_partition_offsets({tp: OffsetSpec.LATEST})[tp].offset
    by_time = admin.list_partition_offsets({tp: base + 4500})[tp].offset
    check(latest == 10 and by_time == 5, f"latest {latest} (want 10), at timestamp {by_time} (want 5)")


def admin_delete_records():
    topic = topic_name("delrec")
    create_topic(topic)
    produce(topic, [{"value": str(i).encode(), "partition": 0} for i in range(10)])
    tp = TopicPartition(topic, 0)
    admin.delete_records({tp: 4})
    c = KafkaConsumer(**COMMON, group_id=None)
    low = c.beginning_offsets([tp])[tp]
    c.close()
    check(low == 4, f"log start offset after delete_records: {low}")


def group_consume(group, topic, want):
    c = KafkaConsumer(topic, **COMMON, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
                      session_timeout_ms=10000, heartbeat_interval_ms=1000)
    got = []
    deadline = time.time() + TIMEOUT
    while len(got) < want and time.time() < deadline:
        for msgs in c.poll(timeout_ms=500).values():
            got.extend(m.value.decode() for m in msgs)
    if got:
        c.commit()
    c.close()
    return got


def consumer_group():
    topic = topic_name("group")
    group = f"compat-kp-group-{RUN_ID}"
    create_topic(topic, 3)
    produce(topic, [{"value": f"a{i}".encode(), "partition": i % 3} for i in range(30)])
    first = group_consume(group, topic, 30)
    check(sorted(first) == sorted(f"a{i}" for i in range(30)), f"first member read {len(first)} of 30")
    produce(topic, [{"value": f"b{i}".encode(), "partition": i % 3} for i in range(6)])
    second = group_consume(group, topic, 6)
    check(sorted(second) == sorted(f"b{i}" for i in range(6)), f"after commit the group read {second}")


def admin_groups():
    topic = topic_name("groups")
    group = f"compat-kp-admin-group-{RUN_ID}"
    create_topic(topic)
    produce(topic, [{"value": b"x", "partition": 0}])
    group_consume(group, topic, 1)
    check(group in repr(admin.list_groups()), "list_groups misses the group")
    check("Empty" in repr(admin.describe_groups([group])), "describe_groups: want state Empty")
    offs = admin.list_group_offsets({group: None})
    check("offset=1" in repr(offs) or "'offset': 1" in repr(offs), f"list_group_offsets: {repr(offs)[:300]}")
    admin.delete_groups([group])


def transactions():
    topic = topic_name("txn")
    create_topic(topic)
    p = KafkaProducer(**COMMON, transactional_id=f"compat-kp-txn-{RUN_ID}", max_block_ms=TIMEOUT * 1000)
    p.init_transactions()
    p.begin_transaction()
    p.send(topic, b"committed", partition=0)
    p.commit_transaction()
    p.begin_transaction()
    p.send(topic, b"aborted", partition=0)
    p.abort_transaction()
    p.begin_transaction()
    p.send(topic, b"last", partition=0)
    p.commit_transaction()
    p.close(TIMEOUT)
    got = read_partition(topic, 0, 2, isolation_level="read_committed")
    check([m.value for m in got] == [b"committed", b"last"], f"read_committed saw {[m.value for m in got]}")


class Skip(Exception):
    pass


def sasl_ssl_conf(mechanism, password=None):
    """The SASL_SSL listener compat/run.ts sets up (compat/security.ts): TLS trusting its test CA, SCRAM as its user."""
    env = os.environ
    if not all(env.get(k) for k in ("SASL_SSL_BOOTSTRAP", "SSL_CA", "SCRAM_USER", "SCRAM_PASSWORD")):
        raise Skip("no SASL_SSL listener (SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER, SCRAM_PASSWORD unset)")
    return {"bootstrap_servers": env["SASL_SSL_BOOTSTRAP"], "request_timeout_ms": 15000, "security_protocol": "SASL_SSL",
            "ssl_cafile": env["SSL_CA"], "sasl_mechanism": mechanism, "sasl_plain_username": env["SCRAM_USER"],
            "sasl_plain_password": password or env["SCRAM_PASSWORD"]}


def sasl_ssl_produce_consume():
    """Each SCRAM mechanism over TLS: create a topic, produce, consume it with a group and commit."""
    for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        conf = sasl_ssl_conf(mechanism)
        topic = topic_name(f"sasl-{mechanism.lower()}")
        a = KafkaAdminClient(**conf)
        a.create_topics([NewTopic(topic, 2, 1)], timeout_ms=TIMEOUT * 1000)
        a.close()
        values = [f"{mechanism}-{i}" for i in range(50)]
        p = KafkaProducer(**conf, acks="all", linger_ms=5)
        futures = [p.send(topic, key=f"k{i}".encode(), value=v.encode()) for i, v in enumerate(values)]
        p.flush(TIMEOUT)
        for f in futures:
            f.get(TIMEOUT)
        p.close()
        c = KafkaConsumer(topic, **conf, group_id=f"compat-kp-sasl-{mechanism.lower()}-{RUN_ID}", auto_offset_reset="earliest",
                          enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=1000)
        got = []
        deadline = time.time() + TIMEOUT
        while len(got) < len(values) and time.time() < deadline:
            for msgs in c.poll(timeout_ms=500).values():
                got.extend(m.value.decode() for m in msgs)
        if got:
            c.commit()
        c.close()
        check(sorted(got) == sorted(values), f"{mechanism}: consumed {len(got)} of {len(values)}")


def sasl_ssl_bad_password():
    """A wrong password never authenticates: the admin client cannot bootstrap. kafka-python 3.0.12 logs the
    broker's close ("socket disconnected"), not its SASL_AUTHENTICATION_FAILED answer, against Kafka as well."""
    try:
        KafkaAdminClient(**{**sasl_ssl_conf("SCRAM-SHA-512", "not-the-password"), "request_timeout_ms": 5000}).close()
    except KafkaTimeoutError:
        return
    raise AssertionError("connected with a wrong password")


SCENARIOS = {
    "sasl-ssl-scram-produce-consume": sasl_ssl_produce_consume,
    "sasl-ssl-scram-bad-password": sasl_ssl_bad_password,
    **{f"produce-consume-{c}": codec_scenario(c) for c in ("none", "gzip", "snappy", "lz4", "zstd")},
    "idempotent-producer": idempotent_producer,
    "admin-create-list-topics": admin_create_list_topics,
    "admin-create-partitions": admin_create_partitions,
    "admin-delete-topics": admin_delete_topics,
    "admin-describe-configs": admin_describe_configs,
    "admin-list-offsets": admin_list_offsets,
    "admin-delete-records": admin_delete_records,
    "consumer-group-subscribe-commit": consumer_group,
    "admin-consumer-groups": admin_groups,
    "transactions-read-committed": transactions,
}

if __name__ == "__main__":
    only = sys.argv[1:]
    try:
        admin = KafkaAdminClient(**COMMON)
    except Exception as e:  # noqa: BLE001
        print(f"FAIL connect {type(e).__name__}: {e}", flush=True)
        sys.exit(0)
    for name, fn in SCENARIOS.items():
        if only and name not in only:
            continue
        try:
            fn()
            print(f"PASS {name}", flush=True)
        except Skip as e:
            print(f"SKIP {name} {e}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure becomes one result line
            traceback.print_exc(file=sys.stderr)
            print(f"FAIL {name} {type(e).__name__}: {str(e)[:300]}".replace("\n", " "), flush=True)
    admin.close()
