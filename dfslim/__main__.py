from dfslim.cli import main

main()
