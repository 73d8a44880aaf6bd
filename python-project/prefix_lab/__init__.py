"""prefix-lab's experiment, reproduced with PyTorch + transformers + peft + accelerate.

Pure modules (no torch): rng, templates, metrics, stats, schedule, data, summary, tables, layers,
eval_setup.
Torch modules: methods (peft configs and the CUSTOM prefix / gate module), train, evaluate.
The lab (TypeScript) generated this project from its ExperimentConfig; experiment.json is that
config and lab_tables.json the lab's prompt words, benchmark facts and language groups.
"""
