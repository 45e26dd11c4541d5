from bokslut.cli import main

main()
