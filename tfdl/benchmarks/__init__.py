"""The benchmarks of ``make bench`` (``tfdl bench``): one module ``bench_<name>`` per
group, each defining ``NEEDS_FASHION_MNIST`` and ``run(quick) -> list[tfdl.bench.Result]``;
``reference.json`` holds the ratios of the last accepted run (``make bench UPDATE=1``)."""
