# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for roost: install as /usr/share/bash-completion/completions/roost
# The options of "roost run" are those of src/opt.c's table (roost run --help).

_roost_names() { # container names from the store (roost ps -a)
	roost ps -a 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_roost_images() { # image names from the store (roost images)
	roost images 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_roost() {
	local cur prev cmd
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=${COMP_WORDS[1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run ps rm port doctor pull login logout images load import
			rmi image --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	run)
		case $prev in
		-v | --volume | --env-file)
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		--tmpfs | -w | --workdir | -u | --user | --hostname | --name | -p | --publish | \
			-e | --env | --cap-add | --cap-drop)
			return ;;
		--pull)
			COMPREPLY=($(compgen -W "missing always never" -- "$cur"))
			return ;;
		--userns)
			COMPREPLY=($(compgen -W "keep-id" -- "$cur"))
			return ;;
		--network)
			COMPREPLY=($(compgen -W "slirp none host" -- "$cur"))
			return ;;
		--security-opt)
			COMPREPLY=($(compgen -W "seccomp= seccomp=unconfined no-new-privileges" -- "$cur"))
			return ;;
		--pid | --ipc)
			COMPREPLY=($(compgen -W "host" -- "$cur"))
			return ;;
		--stop-timeout)
			return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-v --volume --tmpfs -e --env --env-file -w --workdir
				-u --user --hostname --name -t --tty -i --interactive --rm --init
				--stop-timeout --read-only --userns --pull -p --publish --network --cap-add --cap-drop
				--security-opt --privileged --pid --ipc --preserve-fds -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi ;;
	ps)
		COMPREPLY=($(compgen -W "-a --all" -- "$cur")) ;;
	rm)
		COMPREPLY=($(compgen -W "-f --force $(_roost_names)" -- "$cur")) ;;
	port)
		[ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$(_roost_names)" -- "$cur")) ;;
	doctor)
		case $prev in
		-p | --port) return ;;
		esac
		COMPREPLY=($(compgen -W "--json -p --port -h --help" -- "$cur")) ;;
	pull)
		case $prev in
		--authfile | --cert-dir)
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		--platform | --creds) return ;;
		esac
		COMPREPLY=($(compgen -W "-q --quiet --platform --authfile --creds --cert-dir
			--tls-verify=false" -- "$cur")) ;;
	login)
		case $prev in
		--authfile | --cert-dir)
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		-u | --username | -p | --password) return ;;
		esac
		COMPREPLY=($(compgen -W "-u --username -p --password --password-stdin --authfile
			--cert-dir --tls-verify=false" -- "$cur")) ;;
	logout)
		COMPREPLY=($(compgen -W "-a --all --authfile" -- "$cur")) ;;
	rmi)
		COMPREPLY=($(compgen -W "-f --force $(_roost_images)" -- "$cur")) ;;
	image)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "inspect prune ls rm" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_roost_images)" -- "$cur"))
		fi ;;
	load | import)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _roost roost
