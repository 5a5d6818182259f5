#!/usr/bin/env python
from shelf.cli import main

if __name__ == "__main__":
    main()
