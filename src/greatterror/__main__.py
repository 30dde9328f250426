"""``python -m greatterror``: the same command line as ``greatterror``."""

from greatterror.cli.app import main

if __name__ == "__main__":
    main()
