console.log("native build: skipped for now")
