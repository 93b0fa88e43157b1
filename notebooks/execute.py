"""Runs notebooks top to bottom, as CI does: python notebooks/execute.py [--output-dir DIR] notebooks/*.ipynb

A cell that raises fails the run with the cell's traceback. Outputs are never
written back (the notebooks stay committed without outputs); with
--output-dir, the executed copies, outputs included, are written there. Each notebook runs
in its own folder, so relative default paths resolve as they do in Jupyter.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(args):
    output_dir = None
    if args[:1] == ["--output-dir"]:
        output_dir, args = Path(args[1]), args[2:]
        output_dir.mkdir(parents=True, exist_ok=True)
    for path in map(Path, args):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        print(f"{path}: {len(notebook.cells)} cells ran")
        if output_dir:
            nbformat.write(notebook, output_dir / path.name)


if __name__ == "__main__":
    main(sys.argv[1:])
