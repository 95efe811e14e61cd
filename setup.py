"""Packaging for keras-attention.

The distribution is named `keras-attention-toolkit`: `keras-attention` on PyPI is an unrelated
2019 package. The import name is `keras_attention` and the command `keras-attention`.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

setup(
    name="keras-attention-toolkit",
    version="0.1.0",
    description=(
        "Attention-based sequence-to-sequence models on Keras 3: "
        "attention layers, LSTM encoder/decoder, decoding, evaluation, export."
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["keras_attention", "keras_attention.*"]),
    install_requires=[
        "tensorflow>=2.21,<2.22",
        "keras>=3.12,<4",
        "tensorflow-text>=2.21,<2.22",
        "keras-tuner[bayesian]>=1.4.8",  # the extra: scikit-learn, for BayesianOptimization
        "tensorboard>=2.21",
        "tensorflow-serving-api>=2.21,<2.22",
        "sentencepiece>=0.2,<0.3",
        "sacrebleu>=2.4",
        "rouge-score>=0.1.2",
        "matplotlib>=3.8",
        "pyyaml>=6.0",
        "numpy>=1.26",
    ],
    extras_require={
        "dev": ["pytest>=8", "pytest-xdist>=3.5", "hypothesis>=6.100"],
        "backends": ["jax>=0.4", "torch>=2.1"],
    },
    entry_points={
        "console_scripts": [
            "keras-attention=keras_attention.cli:main",
            "keras-attention-saved-model-cli=keras_attention.export.saved_model_cli:main",
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
