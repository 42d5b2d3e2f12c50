from gonogo.console import run

run()
