from dfslim.console import run

run()
