"""`python -m podcheck`: the same as the `podcheck` command."""

from podcheck.cli import main

if __name__ == "__main__":
    main()
