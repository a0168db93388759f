package main

// viewCommands are the query commands over the views.
var viewCommands = map[string]command{}
