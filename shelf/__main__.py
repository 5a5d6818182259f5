from shelf.cli import main

main()
