# tfdl: make test, make reproduce-<article>, make bench. `make help` lists targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATASET ?= digits
PROFILE ?= default
SEED ?= 0
STRATEGY ?= default
WORKERS ?=
REPRODUCE = $(PY) -m tfdl reproduce --dataset $(DATASET) --profile $(PROFILE) --seed $(SEED) --strategy $(STRATEGY) $(if $(WORKERS),--workers $(WORKERS)) $(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(LIMIT),--limit $(LIMIT)) $(if $(VERBOSE),--verbose)

.DEFAULT_GOAL := help
.PHONY: help install test reproduce-autoregressive reproduce-vae reproduce-rnn reproduce-pretraining reproduce-all bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-26s %s\n", $$1, $$2}'
	@echo "  variables: DATASET=digits|mnist|fashion_mnist PROFILE=smoke|default|full EPOCHS=N LIMIT=N SEED=0 STRATEGY=default|mirrored|multi_worker WORKERS=N VERBOSE=1 QUICK=1 UPDATE=1 ONLY=<benchmark> (bench)"

$(STAMP): setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test,chem]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install tfdl with its test tools

test: $(STAMP) ## run the test suite (under 10 minutes on 2 CPU cores; two pytest-xdist workers, a test file each)
	$(PY) -m pytest -n 2 --dist loadfile

reproduce-autoregressive: $(STAMP) ## NADE, MADE, PixelCNN, PixelRNN -> results/autoregressive
	$(REPRODUCE) autoregressive

reproduce-vae: $(STAMP) ## variational autoencoder and its applications -> results/vae
	$(REPRODUCE) vae

reproduce-rnn: $(STAMP) ## deep recurrent networks -> results/rnn
	$(REPRODUCE) rnn

reproduce-pretraining: $(STAMP) ## RBM, DBN, stacked autoencoders -> results/pretraining
	$(REPRODUCE) pretraining

reproduce-all: reproduce-autoregressive reproduce-vae reproduce-rnn reproduce-pretraining ## all four articles

bench: $(STAMP) ## each model next to its peer; exits 1 on a ratio >20% below tfdl/benchmarks/reference.json (QUICK=1, UPDATE=1)
	$(PY) -m tfdl bench $(if $(QUICK),--quick) $(if $(UPDATE),--update) $(if $(ONLY),--only $(ONLY))

clean: ## remove results and the virtual environment
	rm -rf results $(VENV) *.egg-info
