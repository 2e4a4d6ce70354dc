# Developer entry points. The README's two commands (scripts/run.sh, scripts/test.sh) install
# the dependencies first and then call these targets.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: build check test run format clean

build:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Runs every test of an existing build.
check:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test:
	./scripts/test.sh

run:
	./scripts/run.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR)
