package main

func render(res *results) string { return "" }
