from blogarchive.cli import main

main()
