"""confluent-kafka (librdkafka bundled in its wheel) against BOOTSTRAP: every codec, idempotent producer,
admin calls, consumer groups, transactions. One PASS/FAIL/SKIP line per scenario."""
import os
import sys
import time
import traceback

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition, IsolationLevel
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions,
                                   NewTopic, OffsetSpec, ResourceType)

BOOTSTRAP = os.environ["BOOTSTRAP"]
RUN_ID = os.environ.get("RUN_ID", str(int(time.time())))
TIMEOUT = 30


def topic_name(s):
    return f"compat-ck-{s}-{RUN_ID}"


def check(ok, what):
    if not ok:
        raise AssertionError(what)


admin = AdminClient({"bootstrap.servers": BOOTSTRAP})


def max_api_version(key):
    """The broker's highest version of API `key` from a raw ApiVersions v0 exchange (None if not served), so
    scenarios needing an API the broker lacks report SKIP at once instead of librdkafka retrying until timeout."""
    import socket
    import struct
    host, port = BOOTSTRAP.split(",")[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as s:
        client = b"compat-ck-probe"
        body = struct.pack(">hhih", 18, 0, 1, len(client)) + client
        s.sendall(struct.pack(">i", len(body)) + body)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
            chunk = s.recv(65536)
            check(chunk, "ApiVersions: connection closed")
            buf += chunk
    _, err, n = struct.unpack(">ihi", buf[4:14])
    check(err == 0, f"ApiVersions error {err}")
    for i in range(n):
        k, _, hi = struct.unpack(">hhh", buf[14 + 6 * i:20 + 6 * i])
        if k == key:
            return hi
    return None


class Skip(Exception):
    pass


def needs_consumer_protocol(fn):
    def run():
        if (max_api_version(68) or -1) < 1:
            raise Skip("broker does not advertise ConsumerGroupHeartbeat v1 (KIP-848, API 68)")
        fn()
    return run


def create_topic(topic, partitions=1, config=None):
    futs = admin.create_topics([NewTopic(topic, partitions, 1, config=config or {})], operation_timeout=TIMEOUT)
    futs[topic].result(TIMEOUT)
    # Metadata can lag the CreateTopics answer by a moment on a real broker.
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        md = admin.list_topics(topic, timeout=TIMEOUT).topics.get(topic)
        if md and md.error is None and len(md.partitions) == partitions and all(p.leader >= 0 for p in md.partitions.values()):
            return
        time.sleep(0.2)
    raise AssertionError(f"{topic} has no leaders after {TIMEOUT}s")


def produce(topic, records, **conf):
    errors = []
    p = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, **conf})
    for r in records:
        p.produce(topic, on_delivery=lambda err, msg: err and errors.append(err), **r)
    left = p.flush(TIMEOUT)
    check(left == 0 and not errors, f"{left} undelivered, errors: {errors[:3]}")


def read_partition(topic, partition, want, **conf):
    """Assign (no group) from offset 0 and read `want` records."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"unused-{RUN_ID}", "enable.auto.commit": False,
                  "enable.partition.eof": False, **conf})
    c.assign([TopicPartition(topic, partition, 0)])
    out = []
    deadline = time.time() + TIMEOUT
    while len(out) < want and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        out.append(m)
    c.close()
    return out


def codec_scenario(codec):
    def run():
        topic = topic_name(f"codec-{codec}")
        create_topic(topic)
        n = 500
        produce(topic, [{"key": f"k{i}", "value": f"v{i}-{codec}" * 4, "headers": [("h", f"{i}".encode()), ("c", codec.encode())],
                         "partition": 0} for i in range(n)], **{"compression.type": codec})
        got = read_partition(topic, 0, n)
        check(len(got) == n, f"read {len(got)} of {n}")
        for i, m in enumerate(got):
            check(m.offset() == i and m.key() == f"k{i}".encode() and m.value() == f"v{i}-{codec}".encode() * 4
                  and m.headers() == [("h", f"{i}".encode()), ("c", codec.encode())], f"offset {i}: {m.key()} {m.value()} {m.headers()}")
    return run


def idempotent_producer():
    topic = topic_name("idem")
    create_topic(topic, 2)
    n = 2000
    produce(topic, [{"value": f"m{i}", "partition": i % 2} for i in range(n)], **{"enable.idempotence": True, "acks": "all"})
    for part in (0, 1):
        got = read_partition(topic, part, n // 2)
        check([m.value().decode() for m in got] == [f"m{i}" for i in range(part, n, 2)], f"partition {part}: wrong records or order")


def admin_create_list_topics():
    topic = topic_name("admin")
    create_topic(topic, 3, {"retention.ms": "3600000"})
    md = admin.list_topics(timeout=TIMEOUT)
    check(topic in md.topics and len(md.topics[topic].partitions) == 3, "list_topics misses the topic or its partitions")
    again = admin.create_topics([NewTopic(topic, 3, 1)])[topic]
    try:
        again.result(TIMEOUT)
        raise AssertionError("creating an existing topic succeeded")
    except KafkaException as e:
        check(e.args[0].name() == "TOPIC_ALREADY_EXISTS", f"expected TOPIC_ALREADY_EXISTS, got {e}")


def admin_create_partitions():
    topic = topic_name("grow")
    create_topic(topic, 1)
    admin.create_partitions([NewPartitions(topic, 3)])[topic].result(TIMEOUT)
    deadline = time.time() + TIMEOUT
    while len(admin.list_topics(topic, timeout=TIMEOUT).topics[topic].partitions) != 3:
        check(time.time() < deadline, "partition count never reached 3")
        time.sleep(0.2)


def admin_delete_topics():
    topic = topic_name("delete")
    create_topic(topic, 1)
    admin.delete_topics([topic], operation_timeout=TIMEOUT)[topic].result(TIMEOUT)
    deadline = time.time() + TIMEOUT  # deletion reaches the metadata cache a moment after the answer
    while topic in admin.list_topics(timeout=TIMEOUT).topics:
        check(time.time() < deadline, f"topic still listed {TIMEOUT}s after delete_topics")
        time.sleep(0.2)


def admin_describe():
    cluster = admin.describe_cluster().result(TIMEOUT)
    check(len(cluster.nodes) == len(BOOTSTRAP.split(",")) and cluster.controller is not None and cluster.cluster_id, f"describe_cluster: {cluster}")
    topic = topic_name("describe")
    create_topic(topic, 2)
    from confluent_kafka import TopicCollection
    d = admin.describe_topics(TopicCollection([topic])).get(topic).result(TIMEOUT)
    check(d.name == topic and len(d.partitions) == 2 and all(p.leader is not None for p in d.partitions), f"describe_topics: {d}")


def admin_configs():
    topic = topic_name("configs")
    create_topic(topic, 1, {"retention.ms": "123456"})
    res = ConfigResource(ResourceType.TOPIC, topic)
    conf = admin.describe_configs([res])[res].result(TIMEOUT)
    check(conf["retention.ms"].value == "123456" and conf["cleanup.policy"].value == "delete", "describe_configs values")
    alter = ConfigResource(ResourceType.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.ms", "654321", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([alter])[alter].result(TIMEOUT)
    conf = admin.describe_configs([res])[res].result(TIMEOUT)
    check(conf["retention.ms"].value == "654321", f"after incremental_alter_configs: {conf['retention.ms'].value}")


def admin_list_offsets():
    topic = topic_name("offsets")
    create_topic(topic)
    base = int(time.time() * 1000) - 100_000
    produce(topic, [{"value": str(i), "partition": 0, "timestamp": base + i * 1000} for i in range(10)])
    tp = TopicPartition(topic, 0)
    latest = admin.list_offsets({tp: OffsetSpec.latest()})[tp].result(TIMEOUT).offset
    by_time = admin.list_offsets({tp: OffsetSpec.for_timestamp(base + 4500)})[tp].result(TIMEOUT).offset
    check(latest == 10 and by_time == 5, f"latest {latest} (want 10), at timestamp {by_time} (want 5)")


def admin_delete_records():
    topic = topic_name("delrec")
    create_topic(topic)
    produce(topic, [{"value": str(i), "partition": 0} for i in range(10)])
    admin.delete_records([TopicPartition(topic, 0, 3)])[TopicPartition(topic, 0, 3)].result(TIMEOUT)
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"unused-{RUN_ID}"})
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=TIMEOUT)
    c.close()
    check((low, high) == (3, 10), f"watermarks after delete_records: {(low, high)}")


def group_conf(group, protocol="classic"):
    conf = {"bootstrap.servers": BOOTSTRAP, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False}
    # KIP-848: the broker decides session timeout and heartbeat interval; librdkafka rejects them with group.protocol=consumer.
    conf.update({"group.protocol": "consumer"} if protocol == "consumer" else {"session.timeout.ms": 10000})
    return conf


def group_consume(group, topic, want, protocol="classic"):
    c = Consumer(group_conf(group, protocol))
    c.subscribe([topic])
    got = []
    deadline = time.time() + TIMEOUT
    while len(got) < want and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        got.append(m.value().decode())
    if got:
        c.commit(asynchronous=False)
    c.close()
    return got


def consumer_group(protocol="classic"):
    topic = topic_name(f"group-{protocol}")
    group = f"compat-ck-group-{protocol}-{RUN_ID}"
    create_topic(topic, 3)
    produce(topic, [{"value": f"a{i}", "partition": i % 3} for i in range(30)])
    first = group_consume(group, topic, 30, protocol)
    check(sorted(first) == sorted(f"a{i}" for i in range(30)), f"first member read {len(first)} of 30")
    produce(topic, [{"value": f"b{i}", "partition": i % 3} for i in range(6)])
    second = group_consume(group, topic, 6, protocol)
    check(sorted(second) == sorted(f"b{i}" for i in range(6)), f"after commit the group read {second}")


def consumer_protocol_two_members():
    """group.protocol=consumer: two members split three partitions; records produced once the assignment is
    disjoint and complete are read exactly once across the two."""
    topic = topic_name("group-two-members")
    group = f"compat-ck-two-members-{RUN_ID}"
    create_topic(topic, 3)
    members = [Consumer(group_conf(group, "consumer")) for _ in range(2)]
    got = {0: [], 1: []}

    def poll_all():
        for i, c in enumerate(members):
            m = c.poll(0.1)
            if m is not None:
                if m.error():
                    raise KafkaException(m.error())
                got[i].append(m.value().decode())
    try:
        for c in members:
            c.subscribe([topic])
        deadline = time.time() + 60
        owned = [[], []]
        while time.time() < deadline:
            poll_all()
            owned = [sorted(tp.partition for tp in c.assignment()) for c in members]
            if owned[0] and owned[1] and sorted(owned[0] + owned[1]) == [0, 1, 2]:
                break
        check(owned[0] and owned[1] and sorted(owned[0] + owned[1]) == [0, 1, 2], f"assignments {owned} after 60 s")
        produce(topic, [{"value": f"a{i}", "partition": i % 3} for i in range(30)])
        deadline = time.time() + TIMEOUT
        while len(got[0]) + len(got[1]) < 30 and time.time() < deadline:
            poll_all()
        for _ in range(5):  # a duplicate would show up within a few more polls
            poll_all()
        both = sorted(got[0] + got[1], key=lambda v: int(v[1:]))
        check(both == [f"a{i}" for i in range(30)], f"read {len(both)} records across both members, want a0..a29 once each")
        check(got[0] and got[1], f"records per member: {len(got[0])}, {len(got[1])}")
    finally:
        for c in members:
            c.close()


def admin_consumer_protocol_group():
    """A group.protocol=consumer group as the admin API shows it: listed with type CONSUMER, described
    (ConsumerGroupDescribe) as EMPTY after its member left, its committed offsets, deleted."""
    from confluent_kafka import ConsumerGroupTopicPartitions, ConsumerGroupType
    topic = topic_name("groups-consumer")
    group = f"compat-ck-admin-group-consumer-{RUN_ID}"
    create_topic(topic)
    produce(topic, [{"value": "x", "partition": 0}])
    group_consume(group, topic, 1, "consumer")
    listed = admin.list_consumer_groups().result(TIMEOUT)
    mine = [g for g in listed.valid if g.group_id == group]
    check(len(mine) == 1 and mine[0].type == ConsumerGroupType.CONSUMER, f"list_consumer_groups: {[(g.group_id, g.type) for g in mine]}")
    d = admin.describe_consumer_groups([group])[group].result(TIMEOUT)
    check(d.group_id == group and str(d.state).endswith("EMPTY") and d.type == ConsumerGroupType.CONSUMER,
          f"describe_consumer_groups: state {d.state} type {d.type}")
    offs = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(TIMEOUT)
    check([(tp.topic, tp.partition, tp.offset) for tp in offs.topic_partitions] == [(topic, 0, 1)], f"committed: {offs.topic_partitions}")
    admin.delete_consumer_groups([group])[group].result(TIMEOUT)


def admin_groups():
    topic = topic_name("groups")
    group = f"compat-ck-admin-group-{RUN_ID}"
    create_topic(topic)
    produce(topic, [{"value": "x", "partition": 0}])
    group_consume(group, topic, 1)
    listed = admin.list_consumer_groups().result(TIMEOUT)
    check(any(g.group_id == group for g in listed.valid), f"list_consumer_groups misses {group}")
    d = admin.describe_consumer_groups([group])[group].result(TIMEOUT)
    check(d.group_id == group and str(d.state).endswith("EMPTY"), f"describe_consumer_groups: state {d.state}")
    from confluent_kafka import ConsumerGroupTopicPartitions
    offs = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(TIMEOUT)
    check([(tp.topic, tp.partition, tp.offset) for tp in offs.topic_partitions] == [(topic, 0, 1)], f"committed: {offs.topic_partitions}")
    admin.delete_consumer_groups([group])[group].result(TIMEOUT)


def share_consumer():
    """KIP-932 through librdkafka's ShareConsumer (experimental in 2.16), explicit acknowledgement: the group's
    share.auto.offset.reset set to earliest by IncrementalAlterConfigs (a group config, default latest); 20 records;
    two RELEASEd on first delivery come again with delivery_count 2; every record ACCEPTed exactly once."""
    from confluent_kafka import AcknowledgeType, ShareConsumer
    topic = topic_name("share")
    group = f"compat-ck-share-{RUN_ID}"
    create_topic(topic)
    res = ConfigResource(ResourceType.GROUP, group, incremental_configs=[
        ConfigEntry("share.auto.offset.reset", "earliest", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([res])[res].result(TIMEOUT)
    produce(topic, [{"value": f"s{i}", "partition": 0} for i in range(20)])
    c = ShareConsumer({"bootstrap.servers": BOOTSTRAP, "group.id": group, "share.acknowledgement.mode": "explicit"})
    accepted, deliveries, counts = [], {}, {}
    try:
        c.subscribe([topic])
        deadline = time.time() + 60
        while len(accepted) < 20 and time.time() < deadline:
            for m in c.poll(0.5):
                if m.error():
                    raise KafkaException(m.error())
                v = m.value().decode()
                deliveries[v] = deliveries.get(v, 0) + 1
                counts.setdefault(v, []).append(m.delivery_count())
                if v in ("s3", "s7") and deliveries[v] == 1:
                    c.acknowledge(m, AcknowledgeType.RELEASE)
                else:
                    c.acknowledge(m, AcknowledgeType.ACCEPT)
                    accepted.append(v)
        c.commit_sync(TIMEOUT)
    finally:
        c.close()
    check(sorted(accepted, key=lambda v: int(v[1:])) == [f"s{i}" for i in range(20)], f"accepted {len(accepted)}: {accepted[:25]}")
    check(counts.get("s3") == [1, 2] and counts.get("s7") == [1, 2], f"delivery counts of the released: s3 {counts.get('s3')}, s7 {counts.get('s7')}")
    check(all(counts[v] == [1] for v in counts if v not in ("s3", "s7")), "a record other than s3/s7 was delivered twice")


def needs_share_groups(fn):
    def run():
        if (max_api_version(76) or -1) < 1 or (max_api_version(78) or -1) < 1:
            raise Skip("broker does not advertise ShareGroupHeartbeat/ShareFetch v1 (KIP-932, APIs 76/78)")
        fn()
    return run


def transactions():
    topic = topic_name("txn")
    create_topic(topic)
    p = Producer({"bootstrap.servers": BOOTSTRAP, "transactional.id": f"compat-ck-txn-{RUN_ID}"})
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    p.produce(topic, value=b"committed", partition=0)
    p.commit_transaction(TIMEOUT)
    p.begin_transaction()
    p.produce(topic, value=b"aborted", partition=0)
    p.abort_transaction(TIMEOUT)
    p.begin_transaction()
    p.produce(topic, value=b"last", partition=0)
    p.commit_transaction(TIMEOUT)
    got = read_partition(topic, 0, 2, **{"isolation.level": "read_committed"})
    check([m.value() for m in got] == [b"committed", b"last"], f"read_committed saw {[m.value() for m in got]}")


def sasl_ssl_conf(mechanism, password=None):
    """The SASL_SSL listener compat/run.ts sets up (compat/security.ts): TLS trusting its test CA, SCRAM as its user."""
    env = os.environ
    if not all(env.get(k) for k in ("SASL_SSL_BOOTSTRAP", "SSL_CA", "SCRAM_USER", "SCRAM_PASSWORD")):
        raise Skip("no SASL_SSL listener (SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER, SCRAM_PASSWORD unset)")
    return {"bootstrap.servers": env["SASL_SSL_BOOTSTRAP"], "security.protocol": "SASL_SSL", "ssl.ca.location": env["SSL_CA"],
            "sasl.mechanism": mechanism, "sasl.username": env["SCRAM_USER"], "sasl.password": password or env["SCRAM_PASSWORD"]}


def sasl_ssl_produce_consume():
    """Each SCRAM mechanism over TLS: create a topic, produce, consume it with a group and commit."""
    for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        conf = sasl_ssl_conf(mechanism)
        topic = topic_name(f"sasl-{mechanism.lower()}")
        a = AdminClient(conf)  # held: a handle collected while its future waits answers _DESTROY
        a.create_topics([NewTopic(topic, 2, 1)], operation_timeout=TIMEOUT)[topic].result(TIMEOUT)
        values = [f"{mechanism}-{i}" for i in range(50)]
        errors = []
        p = Producer({**conf, "linger.ms": 5, "acks": "all"})
        for i, v in enumerate(values):
            p.produce(topic, key=f"k{i}", value=v, on_delivery=lambda err, msg: err and errors.append(err))
        left = p.flush(TIMEOUT)
        check(left == 0 and not errors, f"{mechanism}: {left} undelivered, errors: {errors[:3]}")
        c = Consumer({**conf, "group.id": f"compat-ck-sasl-{mechanism.lower()}-{RUN_ID}", "auto.offset.reset": "earliest",
                      "enable.auto.commit": False, "session.timeout.ms": 10000})
        c.subscribe([topic])
        got = []
        deadline = time.time() + TIMEOUT
        while len(got) < len(values) and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                raise KafkaException(m.error())
            got.append(m.value().decode())
        if got:
            c.commit(asynchronous=False)
        c.close()
        check(sorted(got) == sorted(values), f"{mechanism}: consumed {len(got)} of {len(values)}")


def sasl_ssl_bad_password():
    """A wrong password: librdkafka reports an authentication error (_AUTHENTICATION) and gets no metadata."""
    errors = []
    a = AdminClient({**sasl_ssl_conf("SCRAM-SHA-512", "not-the-password"), "error_cb": errors.append})
    try:
        a.list_topics(timeout=10)
        raise AssertionError("list_topics succeeded with a wrong password")
    except KafkaException:
        pass
    a.poll(1)  # error_cb runs from poll
    check(any(e.code() == KafkaError._AUTHENTICATION for e in errors), f"no authentication error reported: {errors[:3]}")


SCENARIOS = {
    "sasl-ssl-scram-produce-consume": sasl_ssl_produce_consume,
    "sasl-ssl-scram-bad-password": sasl_ssl_bad_password,
    **{f"produce-consume-{c}": codec_scenario(c) for c in ("none", "gzip", "snappy", "lz4", "zstd")},
    "idempotent-producer": idempotent_producer,
    "admin-create-list-topics": admin_create_list_topics,
    "admin-create-partitions": admin_create_partitions,
    "admin-delete-topics": admin_delete_topics,
    "admin-describe-cluster-topics": admin_describe,
    "admin-describe-alter-configs": admin_configs,
    "admin-list-offsets": admin_list_offsets,
    "admin-delete-records": admin_delete_records,
    "consumer-group-subscribe-commit": consumer_group,
    "admin-consumer-groups": admin_groups,
    "consumer-protocol-subscribe-commit": needs_consumer_protocol(lambda: consumer_group("consumer")),
    "consumer-protocol-two-members": needs_consumer_protocol(consumer_protocol_two_members),
    "admin-consumer-protocol-group": needs_consumer_protocol(admin_consumer_protocol_group),
    "share-consumer-explicit-ack": needs_share_groups(share_consumer),
    "transactions-read-committed": transactions,
}

if __name__ == "__main__":
    only = sys.argv[1:]
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
