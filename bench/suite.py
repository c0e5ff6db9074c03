"""The benchmarks in the order they run. Each takes the run's Context and returns rows."""
from bench.stats import row


def floor(ctx):
    """The broker round trip is itself the baseline of every latency figure."""
    f = ctx.floor()
    note = "paho QoS 1 publish to own subscription, Mosquitto on loopback, %d samples" % f["n"]
    return [row("broker round trip, median (floor)", f["median"], "ms", note=note,
                limit="loopback TCP + Mosquitto + paho network thread"),
            row("broker round trip, p99 (floor)", f["p99"], "ms", note=note,
                limit="scheduler noise on a shared 2-core machine")]


def throughput(ctx):
    from bench.gateway_bench import throughput as measure
    return measure(ctx.port, per_key=ctx.size["per_key"])


def sequential(ctx):
    from bench.gateway_bench import sequential as measure
    return measure(ctx)


def printers8(ctx):
    from bench.gateway_bench import printers8 as measure
    return measure(ctx)


def flood(ctx):
    from bench.gateway_bench import flood as measure
    return measure(ctx)


def idle_http(ctx):
    from bench.gateway_bench import idle_http as measure
    return measure(ctx)


def recovery(ctx):
    from bench.recovery import restart_with_year
    return restart_with_year(ctx)


def reports(ctx):
    from bench.reports_bench import year_reports
    return year_reports(ctx)


def ranking(ctx):
    from bench.year_ranking import year_ranking
    return year_ranking(ctx)


def city(ctx):
    from bench.city_bench import city as measure
    return measure(ctx)


def latency(ctx):
    from bench.hall_bench import latency as measure
    return measure(ctx)


def flash_wear(ctx):
    from bench.hall_bench import flash_wear as measure
    return measure(ctx)


def broker_restart(ctx):
    from bench.hall_bench import broker_restart as measure
    return measure(ctx)


def scale(ctx):
    from bench.hall_bench import scale as measure
    return measure(ctx)


def scale_1000(ctx):
    from bench.sim_bench import scale as measure
    return measure(ctx)


def accelerated_day(ctx):
    from bench.sim_bench import accelerated_day as measure
    return measure(ctx)


def console_live(ctx):
    from bench.console_bench import live_hall_latency
    return live_hall_latency(ctx)


def memory(ctx):
    from bench.memory import firmware_memory
    return firmware_memory(ctx)


def fuzz(ctx):
    from bench.fuzz_bench import bench as measure
    return measure(ctx)


BENCHMARKS = [("floor", floor), ("throughput", throughput), ("sequential", sequential),
              ("printers8", printers8), ("flood", flood), ("idle_http", idle_http), ("recovery", recovery),
              ("reports", reports), ("ranking", ranking), ("city", city), ("latency", latency), ("flash_wear", flash_wear),
              ("broker_restart", broker_restart), ("scale", scale), ("accelerated_day", accelerated_day),
              ("console_live", console_live), ("memory", memory)]
# Run only when asked (--only scale_1000): a thousand device threads took 4 min in one run and
# thrashed (95 % system CPU) past 15 min in another on this 2-core machine.
# --only fuzz: a million fuzzed payloads take ~10 min on this machine (--quick: 20,000)
ON_REQUEST = [("scale_1000", scale_1000), ("fuzz", fuzz)]
