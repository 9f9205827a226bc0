from preau.cli import main

main()
